// Producers publish to the stream and wait for the stream's PubAck: one js_Publish per
// request (batch 1), or `batch` js_PublishAsync calls closed by js_PublishAsyncComplete
// (the batch equivalent of one POST with 10 messages). Consumers share one durable pull
// consumer with explicit acks: natsSubscription_Fetch of up to 10, then natsMsg_Ack on
// each (the equivalent of claim 10 + delete). Latency is recorded per request only for
// requests that end in the measured phase.
#include "natsgen/workers.h"

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "natsgen/nats_handles.h"

namespace zqnats {
namespace {

uint64_t nowNs() {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
}

bool measuring(const WorkerConfig& c) {
    return c.phase->load(std::memory_order_relaxed) == kMeasure;
}
bool stopping(const WorkerConfig& c) {
    return c.phase->load(std::memory_order_relaxed) == kStop;
}

void fail(WorkerStats& stats, const char* what, natsStatus s) {
    ++stats.errors;
    if (stats.firstError.empty())
        stats.firstError =
            std::string(what) + ": " + natsStatus_GetText(s) + " " + nats_GetLastError(nullptr);
}

// Counted on nats.c's own thread (the error handler) and read on the producer's: atomic.
struct AsyncErrors {
    std::atomic<uint64_t> failed{0};
};

// nats.c calls this for every async publish the stream refused or that timed out.
void onAsyncError(jsCtx*, jsPubAckErr*, void* closure) {
    static_cast<AsyncErrors*>(closure)->failed.fetch_add(1);
}

bool connect(const WorkerConfig& config, WorkerStats& stats, Connection& nc, Js& js,
             jsOptions* options) {
    natsConnection* raw = nullptr;
    natsStatus s = natsConnection_ConnectTo(&raw, config.url.c_str());
    nc.reset(raw);
    if (s != NATS_OK) {
        fail(stats, "connect", s);
        return false;
    }
    jsCtx* rawJs = nullptr;
    s = natsConnection_JetStream(&rawJs, nc.get(), options);
    js.reset(rawJs);
    if (s != NATS_OK) {
        fail(stats, "jetstream", s);
        return false;
    }
    return true;
}

}  // namespace

void runProducer(const WorkerConfig& config, WorkerStats& stats) {
    AsyncErrors asyncErrors;
    jsOptions options;
    jsOptions_Init(&options);
    options.PublishAsync.ErrHandler = onAsyncError;
    options.PublishAsync.ErrHandlerClosure = &asyncErrors;
    Connection nc;
    Js js;
    if (!connect(config, stats, nc, js, &options)) return;
    const std::vector<char> body(static_cast<size_t>(config.size), 'x');
    const int size = config.size;
    while (!stopping(config)) {
        const uint64_t start = nowNs();
        bool ok = true;
        if (config.batch <= 1) {
            jsPubAck* raw = nullptr;
            const natsStatus s = js_Publish(&raw, js.get(), config.subject.c_str(), body.data(),
                                            size, nullptr, nullptr);
            PubAck ack(raw);
            if (s != NATS_OK) {
                if (measuring(config)) fail(stats, "js_Publish", s);
                continue;
            }
        } else {
            const uint64_t failedBefore = asyncErrors.failed.load();
            for (int i = 0; i < config.batch && ok; ++i) {
                const natsStatus s =
                    js_PublishAsync(js.get(), config.subject.c_str(), body.data(), size, nullptr);
                if (s != NATS_OK) {
                    if (measuring(config)) fail(stats, "js_PublishAsync", s);
                    ok = false;
                }
            }
            jsPubOptions wait;
            jsPubOptions_Init(&wait);
            wait.MaxWait = 10000;
            const natsStatus s = js_PublishAsyncComplete(js.get(), &wait);
            if (s != NATS_OK) {
                if (measuring(config)) fail(stats, "js_PublishAsyncComplete", s);
                ok = false;
            }
            // An error the handler reports late is counted against the next batch: none is lost.
            const uint64_t failed = asyncErrors.failed.load() - failedBefore;
            if (failed != 0) {
                if (measuring(config)) {
                    stats.errors += failed;
                    if (stats.firstError.empty()) stats.firstError = "async publish: no PubAck";
                }
                ok = false;
            }
            if (!ok) continue;
        }
        if (!measuring(config)) continue;
        stats.publish.record(nowNs() - start);
        ++stats.publishes;
        stats.published += static_cast<uint64_t>(config.batch < 1 ? 1 : config.batch);
    }
}

void runConsumer(const WorkerConfig& config, WorkerStats& stats) {
    Connection nc;
    Js js;
    if (!connect(config, stats, nc, js, nullptr)) return;
    jsSubOptions subOptions;
    jsSubOptions_Init(&subOptions);
    subOptions.Stream = config.stream.c_str();
    natsSubscription* raw = nullptr;
    natsStatus s = js_PullSubscribe(&raw, js.get(), config.subject.c_str(), config.durable.c_str(),
                                    nullptr, &subOptions, nullptr);
    Subscription sub(raw);
    if (s != NATS_OK) {
        fail(stats, "js_PullSubscribe", s);
        return;
    }
    while (!stopping(config)) {
        const uint64_t start = nowNs();
        MsgList list;
        // 200 ms: an empty stream answers within that, so a stop is seen promptly.
        s = natsSubscription_Fetch(list.get(), sub.get(), config.fetchBatch, 200, nullptr);
        if (s == NATS_TIMEOUT) {
            if (measuring(config)) ++stats.emptyFetches;
            continue;
        }
        if (s != NATS_OK) {
            if (measuring(config)) fail(stats, "natsSubscription_Fetch", s);
            continue;
        }
        uint64_t acked = 0;
        for (int i = 0; i < list.size(); ++i) {
            const natsStatus a = natsMsg_Ack(list.at(i), nullptr);
            if (a == NATS_OK) {
                ++acked;
            } else if (measuring(config)) {
                fail(stats, "natsMsg_Ack", a);
            }
        }
        if (!measuring(config)) continue;
        stats.fetch.record(nowNs() - start);
        ++stats.fetches;
        stats.delivered += acked;
    }
}

}  // namespace zqnats
