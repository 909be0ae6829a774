// Sending rules (see rate_limiter.h for the timing model):
//  - a connection asks its flow for requests while it has pipeline room;
//  - with --rate, a request leaves at its slot; a late one leaves at once but keeps the
//    slot as its intended time, except a dependent follow-up, which cannot be intended
//    before the response that made it possible;
//  - the loop only stops from timers (never from inside a connection's callback), and
//    connections are closed after the loop returned.
#include "loadgen/runner.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <random>

#include "loadgen/clock.h"
#include "loadgen/http_connection.h"
#include "loadgen/rate_limiter.h"
#include "loadgen/ws_connection.h"
#include "loadgen/ws_mapping_check.h"

namespace zqbench {
namespace {

std::string randomUuid(std::mt19937_64& rng) {
    const uint64_t hi = (rng() & 0xffffffffffff0fffull) | 0x0000000000004000ull;
    const uint64_t lo = (rng() & 0x3fffffffffffffffull) | 0x8000000000000000ull;
    char text[40];
    std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                  static_cast<unsigned>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xffffffffffffull));
    return text;
}

timeval toTimeval(uint64_t ns) {
    return timeval{static_cast<time_t>(ns / kNsPerSec),
                   static_cast<suseconds_t>((ns % kNsPerSec) / 1000)};
}

// Plays a fixed list of requests (setup or finish) and stops when all are answered.
class SequenceFlow : public Flow {
  public:
    explicit SequenceFlow(std::vector<Request> requests) : requests_(std::move(requests)) {
        std::reverse(requests_.begin(), requests_.end());
        pending_ = requests_.size();
    }
    Next next(uint64_t) override {
        if (requests_.empty()) return Next{{}, 0, pending_ == 0};
        Request r = std::move(requests_.back());
        requests_.pop_back();
        return Next{std::move(r), 0, false};
    }
    void onResponse(const Request&, const Response&) override { --pending_; }
    bool finished() const { return pending_ == 0; }

  private:
    std::vector<Request> requests_;
    size_t pending_ = 0;
};

}  // namespace

struct Runner::Client {
    Runner* runner = nullptr;
    std::unique_ptr<Connection> connection;
    std::unique_ptr<Flow> flow;
    std::optional<RateLimiter> limiter;
    std::optional<Request> pending;
    EventPtr timer;
    bool done = false;
    bool everConnected = false;
};

Runner::Runner(const Options& options, const Endpoint& endpoint, const std::string& project,
               Scenario& scenario, Metrics& metrics)
    : options_(options),
      endpoint_(endpoint),
      project_(project),
      scenario_(scenario),
      metrics_(metrics),
      base_(options.transport == "websocket") {}

Runner::~Runner() {
    // Connections, timers and the scenario's loop objects must go before the event base
    // they live on.
    scenario_.detach();
    clients_.clear();
    ws_.reset();
    stopTimer_.reset();
    connectTimer_.reset();
    progressTimer_.reset();
}

std::unique_ptr<Runner::Client> Runner::makeClient(int index, std::unique_ptr<Flow> flow,
                                                   size_t pipeline, bool websocket) {
    static std::mt19937_64 rng{std::random_device{}()};
    auto client = std::make_unique<Client>();
    client->runner = this;
    if (websocket) {
        client->connection = std::make_unique<WsConnection>(*ws_, *wsEndpoint_, randomUuid(rng),
                                                            project_, pipeline, *this);
    } else {
        std::string headers = "Host: " + endpoint_.hostHeader +
                              "\r\nClient-ID: " + randomUuid(rng) +
                              "\r\nX-Project-ID: " + project_ + "\r\nAccept: application/json\r\n";
        for (const auto& header : options_.headers) headers += header + "\r\n";
        client->connection = std::make_unique<HttpConnection>(base_.get(), endpoint_,
                                                              std::move(headers), pipeline, *this);
    }
    client->connection->id = index;
    client->flow = std::move(flow);
    client->timer.reset(evtimer_new(base_.get(), &Runner::onClientTimer, client.get()));
    return client;
}

void Runner::addTimer(EventPtr& slot, double seconds, event_callback_fn callback) {
    slot.reset(evtimer_new(base_.get(), callback, this));
    const timeval tv = toTimeval(static_cast<uint64_t>(seconds * static_cast<double>(kNsPerSec)));
    evtimer_add(slot.get(), &tv);
}

bool Runner::run(std::string* error) {
    if (options_.transport == "websocket") {
        if (!checkWsMapping(options_, project_, error)) return false;
        wsEndpoint_ = std::make_unique<WsEndpoint>();
        if (!parseWsUrl(options_.wsUrl, wsEndpoint_.get(), error)) return false;
        ws_ = std::make_unique<WsClientContext>(*base_.dispatcher());
        if (!ws_->start(wsEndpoint_->tls, error)) return false;
    }
    if (!scenario_.attach(base_.get(), error)) return false;
    if (!runSequence(scenario_.setupRequests(), true, error)) return false;
    if (!runLoad(error)) return false;
    runDrain();
    std::string finishError;
    if (!runSequence(scenario_.finishRequests(), false, &finishError)) {
        std::fprintf(stderr, "loadgen: after the run: %s\n", finishError.c_str());
    }
    return true;
}

bool Runner::runSequence(std::vector<Request> requests, bool setup, std::string* error) {
    if (requests.empty()) return true;
    phase_ = Phase::Sequence;
    sequenceError_.clear();
    const size_t total = requests.size();
    auto flow = std::make_unique<SequenceFlow>(std::move(requests));
    SequenceFlow* sequence = flow.get();
    clients_.clear();
    clients_.push_back(makeClient(0, std::move(flow), 32));
    sequenceIsSetup_ = setup;
    clients_[0]->connection->connect();
    addTimer(connectTimer_, 5.0, &Runner::onConnectTimeout);
    // Generous: a large prefill is many posts; the finish step is a few stats calls.
    addTimer(stopTimer_, setup ? 600.0 : 15.0, &Runner::onConnectTimeout);
    event_base_dispatch(base_.get());
    clients_[0]->connection->close();
    const bool ok = sequence->finished() && sequenceError_.empty();
    clients_.clear();
    stopTimer_.reset();
    connectTimer_.reset();
    if (!ok) {
        *error = (setup ? "setup failed: " : "finish failed: ") +
                 (sequenceError_.empty()
                      ? "timed out or server unreachable (" + std::to_string(total) + " requests)"
                      : sequenceError_);
    }
    return ok;
}

bool Runner::runLoad(std::string* error) {
    phase_ = Phase::Load;
    started_ = false;
    connectedCount_ = 0;
    doneCount_ = 0;
    clients_.clear();
    for (int i = 0; i < options_.connections; ++i) {
        clients_.push_back(makeClient(i, scenario_.makeFlow(i),
                                      static_cast<size_t>(options_.pipeline), ws_ != nullptr));
    }
    for (auto& c : clients_) c->connection->connect();
    addTimer(connectTimer_, 5.0, &Runner::onConnectTimeout);
    event_base_dispatch(base_.get());

    const uint64_t end = nowNs();
    for (auto& c : clients_) {
        reconnects_ += c->connection->reconnects();
        failures_ += c->connection->failures();
        if (!started_) continue;
        uint64_t unfinished = 0;
        for (const Request& r : c->connection->inflightRequests()) {
            if (r.intendedNs >= metrics_.windowStart()) ++unfinished;
        }
        metrics_.addUnfinished(unfinished);
        c->connection->close();
    }
    clients_.clear();
    stopTimer_.reset();
    connectTimer_.reset();
    progressTimer_.reset();
    if (!fatalError_.empty()) {
        *error = fatalError_;
        return false;
    }
    if (!started_) {
        *error = "could not open " + std::to_string(options_.connections) + " connections to " +
                 (ws_ ? options_.wsUrl : options_.url) + " within 5 s (" +
                 std::to_string(connectedCount_) + " connected)";
        return false;
    }
    const uint64_t windowEnd = std::min(end, stopAtNs_);
    metrics_.setWindow(metrics_.windowStart(), windowEnd);
    measuredSeconds_ = windowEnd > metrics_.windowStart()
                           ? static_cast<double>(windowEnd - metrics_.windowStart()) / kNsPerSec
                           : 0.0;
    return true;
}

void Runner::runDrain() {
    if (scenario_.drainLimit() <= 0) return;
    drainStartNs_ = nowNs();
    if (scenario_.drained(0.0)) return;
    addTimer(stopTimer_, 0.01, &Runner::onDrainTick);
    event_base_dispatch(base_.get());
    stopTimer_.reset();
}

void Runner::startLoad() {
    started_ = true;
    connectTimer_.reset();
    const uint64_t t0 = nowNs();
    const uint64_t windowStart = t0 + static_cast<uint64_t>(options_.warmup * kNsPerSec);
    stopAtNs_ = windowStart + static_cast<uint64_t>(options_.duration * kNsPerSec);
    metrics_.setWindow(windowStart, stopAtNs_);
    const double perConnection = options_.rate / options_.connections;
    for (size_t i = 0; i < clients_.size(); ++i) {
        clients_[i]->limiter.emplace(perConnection, t0,
                                     static_cast<double>(i) / static_cast<double>(clients_.size()));
    }
    addTimer(stopTimer_, options_.warmup + options_.duration, &Runner::onStopTimer);
    // Live progress is for a person watching: on a terminal only, so CI logs and
    // bench/compare's run logs stay quiet.
    progressFd_ = options_.progressFd >= 0     ? options_.progressFd
                  : isatty(STDERR_FILENO) == 1 ? STDERR_FILENO
                                               : -1;
    showProgress_ = progressFd_ >= 0;
    loadStartNs_ = t0;
    if (showProgress_) addTimer(progressTimer_, 1.0, &Runner::onProgress);
    for (auto& c : clients_) pump(*c);
}

void Runner::onConnected(Connection& connection) {
    Client& client = *clients_[static_cast<size_t>(connection.id)];
    if (phase_ == Phase::Sequence) connectTimer_.reset();
    if (phase_ == Phase::Load && !started_) {
        if (!client.everConnected) {
            client.everConnected = true;
            if (++connectedCount_ == options_.connections) startLoad();
        }
        return;
    }
    pump(client);
}

void Runner::onFatal(Connection&, const std::string& reason) {
    if (fatalError_.empty())
        fatalError_ = "scenario " + options_.scenario + " over --transport websocket: " + reason;
    stopLoop();
}

void Runner::onResponse(Connection& connection, Request&& request, Response&& response) {
    Client& client = *clients_[static_cast<size_t>(connection.id)];
    if (phase_ == Phase::Sequence) {
        if (response.status != 0) {
            client.flow->onResponse(request, response);
            if (request.kind >= 0 && !metrics_.expected(request.kind, response.status) &&
                sequenceError_.empty()) {
                sequenceError_ = std::string(request.method) + " " + request.path + " answered " +
                                 std::to_string(response.status) + ": " +
                                 response.body.substr(0, 300);
            }
            if (!sequenceIsSetup_) scenario_.onFinishResponse(request, response);
            if (sequenceError_.empty() && !static_cast<SequenceFlow&>(*client.flow).finished()) {
                pump(client);
                return;
            }
            stopLoop();
            return;
        }
        // Connection lost: replaying setup requests is not safe (posts would double), so fail.
        if (sequenceError_.empty())
            sequenceError_ =
                "connection lost during " + std::string(request.method) + " " + request.path;
        stopLoop();
        return;
    }
    ++completedTotal_;
    metrics_.record(request, response);
    client.flow->onResponse(request, response);
    pump(client);
}

void Runner::pump(Client& client) {
    if (client.done) return;
    const uint64_t now = nowNs();
    while (client.connection->canSend() && fatalError_.empty()) {
        if (!client.pending) {
            Next next = client.flow->next(now);
            if (next.done) {
                client.done = true;
                if (phase_ == Phase::Load && ++doneCount_ == static_cast<int>(clients_.size())) {
                    // Every flow finished (e.g. --stop-after): end when the last answer is in.
                    addTimer(stopTimer_, 0.0, &Runner::onStopTimer);
                }
                return;
            }
            if (!next.request) {
                if (next.retryAtNs) armTimer(client, next.retryAtNs, now);
                return;
            }
            client.pending = std::move(next.request);
            client.pending->readyNs = now;
        }
        uint64_t intended = now;
        if (phase_ == Phase::Load && client.limiter && client.limiter->limited()) {
            const uint64_t slot = client.limiter->nextSlot();
            if (slot > now) {
                armTimer(client, slot, now);
                return;
            }
            client.limiter->take();
            intended = client.pending->dependent ? std::max(slot, client.pending->readyNs) : slot;
        }
        client.pending->intendedNs = intended;
        client.flow->onSend(*client.pending);
        client.connection->send(std::move(*client.pending));
        client.pending.reset();
    }
}

void Runner::armTimer(Client& client, uint64_t atNs, uint64_t nowNs) {
    const timeval tv = toTimeval(atNs > nowNs ? atNs - nowNs : 0);
    evtimer_add(client.timer.get(), &tv);
}

void Runner::onClientTimer(evutil_socket_t, short, void* self) {
    auto* client = static_cast<Client*>(self);
    client->runner->pump(*client);
}

void Runner::stopLoop() {
    if (showProgress_) dprintf(progressFd_, "\n");  // keep the last progress line
    showProgress_ = false;
    event_base_loopbreak(base_.get());
}

void Runner::onStopTimer(evutil_socket_t, short, void* self) {
    auto* runner = static_cast<Runner*>(self);
    if (runner->doneCount_ == static_cast<int>(runner->clients_.size())) {
        // Early end: wait for the last in-flight answers, then stop.
        bool idle = true;
        for (auto& c : runner->clients_) idle = idle && c->connection->inflight() == 0;
        if (!idle && nowNs() < runner->stopAtNs_) {
            const timeval tv{0, 1000};
            evtimer_add(runner->stopTimer_.get(), &tv);
            return;
        }
    }
    runner->stopLoop();
}

void Runner::onDrainTick(evutil_socket_t, short, void* self) {
    auto* runner = static_cast<Runner*>(self);
    const double waited = static_cast<double>(nowNs() - runner->drainStartNs_) / kNsPerSec;
    if (runner->scenario_.drained(waited) || waited >= runner->scenario_.drainLimit()) {
        runner->stopLoop();
        return;
    }
    const timeval tv{0, 10000};
    evtimer_add(runner->stopTimer_.get(), &tv);
}

void Runner::onConnectTimeout(evutil_socket_t, short, void* self) {
    auto* runner = static_cast<Runner*>(self);
    runner->stopLoop();
}

void Runner::onProgress(evutil_socket_t, short, void* self) {
    auto* runner = static_cast<Runner*>(self);
    const uint64_t now = nowNs();
    const char* phase = now < runner->metrics_.windowStart() ? "warm-up" : "measure";
    uint64_t errors = 0;
    for (const KindStats& kind : runner->metrics_.kinds()) errors += kind.errors;
    const double elapsed = static_cast<double>(now - runner->loadStartNs_) / kNsPerSec;
    // One line rewritten in place (\r, then erase to its end).
    dprintf(runner->progressFd_, "\r  %-7s %5.0f/%.0f s  %8llu responses/s  %llu errors\33[K",
            phase, elapsed, runner->options_.warmup + runner->options_.duration,
            static_cast<unsigned long long>(runner->completedTotal_ - runner->completedAtLastTick_),
            static_cast<unsigned long long>(errors));
    runner->completedAtLastTick_ = runner->completedTotal_;
    const timeval tv{1, 0};
    evtimer_add(runner->progressTimer_.get(), &tv);
}

}  // namespace zqbench
