// zaqard-natsgen: the NATS JetStream side of bench/compare. Same shapes as the load
// generator's producer / producer --batch 10 / consumer runs, against a nats-server -js,
// and the same JSON fields (requests_per_s, messages_per_s, latency_ms, errors, measured_s,
// warmup_s) so bench/summarize.py prints both side by side.
//
//   zaqard-natsgen --url nats://127.0.0.1:4222 --scenario post|consumer [--batch N]
//                  [--connections N] [--producers N --consumers N] [--size B]
//                  [--duration S] [--warmup S] [--json FILE]
//
// Concurrency: one thread with its own NATS connection per zaqard keep-alive connection,
// each with one request in flight (the loadgen's --pipeline 1).
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "loadgen/json_writer.h"
#include "natsgen/nats_handles.h"
#include "natsgen/workers.h"

namespace {

struct Options {
    std::string url = "nats://127.0.0.1:4222";
    std::string scenario = "post";
    std::string json;
    int connections = 64;
    int producers = 16;
    int consumers = 48;
    int batch = 1;
    int size = 100;
    double duration = 10;
    double warmup = 2;
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "zaqard-natsgen: %s\nusage: zaqard-natsgen --url URL --scenario post|consumer "
                 "[--batch N] [--connections N] [--producers N] [--consumers N] [--size B] "
                 "[--duration S] [--warmup S] [--json FILE]\n",
                 why);
    std::exit(2);
}

int toInt(const char* text, int lo, int hi) {
    char* end = nullptr;
    const long v = std::strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v < lo || v > hi) usage("bad number");
    return static_cast<int>(v);
}

double toSeconds(const char* text) {
    char* end = nullptr;
    const double v = std::strtod(text, &end);
    if (*text == '\0' || *end != '\0' || v < 0 || v > 86400) usage("bad duration");
    return v;
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; i += 2) {
        const std::string k = argv[i];
        if (i + 1 >= argc) usage(("missing value for " + k).c_str());
        const char* v = argv[i + 1];
        if (k == "--url")
            o.url = v;
        else if (k == "--scenario")
            o.scenario = v;
        else if (k == "--json")
            o.json = v;
        else if (k == "--connections")
            o.connections = toInt(v, 1, 4096);
        else if (k == "--producers")
            o.producers = toInt(v, 0, 4096);
        else if (k == "--consumers")
            o.consumers = toInt(v, 1, 4096);
        else if (k == "--batch")
            o.batch = toInt(v, 1, 1000);
        else if (k == "--size")
            o.size = toInt(v, 1, 1 << 20);
        else if (k == "--duration")
            o.duration = toSeconds(v);
        else if (k == "--warmup")
            o.warmup = toSeconds(v);
        else
            usage(("unknown option " + k).c_str());
    }
    if (o.scenario != "post" && o.scenario != "consumer") usage("scenario is post or consumer");
    return o;
}

constexpr const char* kStream = "BENCH";
constexpr const char* kSubject = "bench.q";
constexpr const char* kDurable = "workers";

// A fresh stream per run (as bench/compare empties Redis before each zaqard run): file
// storage, work-queue retention so an acked message is removed (as a deleted Zaqar
// message is), and for the consumer scenario one durable pull consumer with explicit acks.
bool setUp(const Options& o) {
    natsConnection* rawNc = nullptr;
    natsStatus s = natsConnection_ConnectTo(&rawNc, o.url.c_str());
    zqnats::Connection nc(rawNc);
    if (s != NATS_OK) {
        std::fprintf(stderr, "natsgen: connect %s: %s\n", o.url.c_str(), natsStatus_GetText(s));
        return false;
    }
    jsCtx* rawJs = nullptr;
    s = natsConnection_JetStream(&rawJs, nc.get(), nullptr);
    zqnats::Js js(rawJs);
    if (s != NATS_OK) return false;
    js_DeleteStream(js.get(), kStream, nullptr, nullptr);  // absent on the first run
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    const char* subjects[] = {kSubject};
    sc.Name = kStream;
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Storage = js_FileStorage;
    sc.Retention = js_WorkQueuePolicy;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    jsStreamInfo* si = nullptr;
    s = js_AddStream(&si, js.get(), &sc, nullptr, &jerr);
    jsStreamInfo_Destroy(si);
    if (s != NATS_OK) {
        std::fprintf(stderr, "natsgen: js_AddStream: %s (%d) %s\n", natsStatus_GetText(s),
                     static_cast<int>(jerr), nats_GetLastError(nullptr));
        return false;
    }
    if (o.scenario != "consumer") return true;
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = kDurable;
    cc.AckPolicy = js_AckExplicit;
    cc.MaxAckPending = 100000;  // the default 1000 would cap 48 consumers x 10 in flight barely
    jsConsumerInfo* ci = nullptr;
    s = js_AddConsumer(&ci, js.get(), kStream, &cc, nullptr, &jerr);
    jsConsumerInfo_Destroy(ci);
    if (s != NATS_OK) {
        std::fprintf(stderr, "natsgen: js_AddConsumer: %s (%d)\n", natsStatus_GetText(s),
                     static_cast<int>(jerr));
        return false;
    }
    return true;
}

double cpuSeconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double ms(uint64_t ns) {
    return static_cast<double>(ns) / 1e6;
}

void latencyJson(zqbench::JsonWriter& j, const zqbench::Histogram& h) {
    j.beginObject();
    j.key("p50").value(ms(h.valueAt(0.5))).key("p90").value(ms(h.valueAt(0.9)));
    j.key("p99").value(ms(h.valueAt(0.99))).key("p99_9").value(ms(h.valueAt(0.999)));
    j.key("max").value(ms(h.max())).key("mean").value(h.mean() / 1e6).key("count").value(h.count());
    j.endObject();
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    if (nats_Open(-1) != NATS_OK) return 1;
    if (!setUp(o)) return 1;

    std::atomic<int> phase{zqnats::kWarmup};
    zqnats::WorkerConfig config;
    config.url = o.url;
    config.subject = kSubject;
    config.stream = kStream;
    config.durable = kDurable;
    config.size = o.size;
    config.batch = o.batch;
    config.phase = &phase;

    const bool consumer = o.scenario == "consumer";
    const int producers = consumer ? o.producers : o.connections;
    const int consumers = consumer ? o.consumers : 0;
    // A deque: WorkerStats holds 60 KB histograms and must not move while threads write.
    std::deque<zqnats::WorkerStats> stats(static_cast<size_t>(producers + consumers));
    std::vector<std::thread> threads;
    const double cpu0 = cpuSeconds();
    for (int i = 0; i < producers + consumers; ++i) {
        zqnats::WorkerStats& s = stats[static_cast<size_t>(i)];
        if (i < producers)
            threads.emplace_back([&config, &s] { zqnats::runProducer(config, s); });
        else
            threads.emplace_back([&config, &s] { zqnats::runConsumer(config, s); });
    }
    using Clock = std::chrono::steady_clock;
    std::this_thread::sleep_for(std::chrono::duration<double>(o.warmup));
    const auto t0 = Clock::now();
    phase = zqnats::kMeasure;
    std::this_thread::sleep_for(std::chrono::duration<double>(o.duration));
    phase = zqnats::kStop;
    const double measured = std::chrono::duration<double>(Clock::now() - t0).count();
    for (std::thread& t : threads) t.join();
    const double cpu = cpuSeconds() - cpu0;

    zqnats::WorkerStats total;
    for (const zqnats::WorkerStats& s : stats) {
        total.publish.merge(s.publish);
        total.fetch.merge(s.fetch);
        total.publishes += s.publishes;
        total.published += s.published;
        total.fetches += s.fetches;
        total.emptyFetches += s.emptyFetches;
        total.delivered += s.delivered;
        total.errors += s.errors;
        if (total.firstError.empty()) total.firstError = s.firstError;
    }
    zqbench::Histogram all;
    all.merge(total.publish);
    all.merge(total.fetch);
    const uint64_t requests = total.publishes + total.fetches;
    const uint64_t messages = consumer ? total.delivered : total.published;
    const std::string roles = consumer ? std::to_string(producers) + " producers, " +
                                             std::to_string(consumers) + " consumers"
                                       : std::to_string(producers) + " producers";

    std::printf("\nnats %s  %s  batch %d  size %d B  measured %.2f s after %.2f s warm-up\n",
                o.scenario.c_str(), roles.c_str(), o.batch, o.size, measured, o.warmup);
    std::printf("publish %10llu req %9.1f req/s  p50 %.3f ms  p99 %.3f ms\n",
                static_cast<unsigned long long>(total.publishes), total.publishes / measured,
                ms(total.publish.valueAt(0.5)), ms(total.publish.valueAt(0.99)));
    if (consumer)
        std::printf("fetch   %10llu req %9.1f req/s  p50 %.3f ms  p99 %.3f ms  empty %llu\n",
                    static_cast<unsigned long long>(total.fetches), total.fetches / measured,
                    ms(total.fetch.valueAt(0.5)), ms(total.fetch.valueAt(0.99)),
                    static_cast<unsigned long long>(total.emptyFetches));
    std::printf("messages/s: %.1f (%s)  errors %llu%s%s\n", messages / measured,
                consumer ? "acked" : "published", static_cast<unsigned long long>(total.errors),
                total.firstError.empty() ? "" : "  first: ", total.firstError.c_str());

    if (!o.json.empty()) {
        zqbench::JsonWriter j;
        j.beginObject();
        j.key("scenario").value("nats-" + o.scenario).key("url").value(o.url);
        j.key("roles").value(roles).key("transport").value("nats");
        j.key("connections").value(producers + consumers).key("pipeline").value(1);
        j.key("batch").value(o.batch).key("size").value(o.size);
        j.key("warmup_s").value(o.warmup).key("measured_s").value(measured);
        j.key("requests").value(requests).key("requests_per_s").value(requests / measured);
        j.key("errors").value(total.errors);
        if (!total.firstError.empty()) j.key("first_error").value(total.firstError);
        j.key("messages_counter").value(consumer ? "messages_acked" : "messages_published");
        j.key("messages").value(messages).key("messages_per_s").value(messages / measured);
        j.key("latency_ms");
        latencyJson(j, all);
        j.key("kinds").beginObject();
        j.key("publish").beginObject();
        j.key("requests")
            .value(total.publishes)
            .key("requests_per_s")
            .value(total.publishes / measured);
        j.key("latency_ms");
        latencyJson(j, total.publish);
        j.endObject();
        if (consumer) {
            j.key("fetch").beginObject();
            j.key("requests")
                .value(total.fetches)
                .key("requests_per_s")
                .value(total.fetches / measured);
            j.key("empty").value(total.emptyFetches);
            j.key("latency_ms");
            latencyJson(j, total.fetch);
            j.endObject();
        }
        j.endObject();
        j.key("counters").beginObject();
        j.key("messages_published").beginObject().key("total").value(total.published);
        j.key("per_s").value(total.published / measured).endObject();
        j.key("messages_acked").beginObject().key("total").value(total.delivered);
        j.key("per_s").value(total.delivered / measured).endObject();
        j.endObject();
        j.key("loadgen_cpu_s").value(cpu);
        j.endObject();
        FILE* f = std::fopen(o.json.c_str(), "w");
        if (!f) {
            std::perror(o.json.c_str());
            return 1;
        }
        std::fputs((j.text() + "\n").c_str(), f);
        std::fclose(f);
    }
    nats_Close();
    return 0;
}
