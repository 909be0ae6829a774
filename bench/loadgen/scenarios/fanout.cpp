// Scenario 5, webhook fan-out: the queue(s) get --subscribers webhook subscriptions that all
// point at the load generator's own receiver (webhook_receiver.h), one path each
// (/s/<i>; with --queues the index runs on over the queues), and the connections post
// --batch messages per request (default 1). zaqard, configured with
// `[storage] message_pipeline = zaqar.notification.notifier`, delivers one notification per
// message per subscriber. Reported: notifications/s (the messages/s of this scenario),
// posts/s, post-to-delivery latency (post's intended send time, stamped into the body, to
// receipt of the whole POST), and after a drain of at most kDrainSeconds the deliveries
// still missing: for each subscriber path, messages acknowledged (201) to its queue minus
// deliveries it received, summed.
//
// At full speed (no --rate) the producers hold back while more than kMaxOutstanding
// deliveries are owed (messages posted x subscribers - delivered): the run then measures
// what the notifier sustains, with a bounded backlog, instead of how fast posts pile up
// jobs it will take minutes to deliver. With --rate nothing holds back (a constant-rate run
// must not wait on the server); the post-to-delivery latency is meaningful only there.
#include <algorithm>
#include <cstdio>
#include <memory>

#include "loadgen/clock.h"
#include "loadgen/scenarios/producer_flow.h"
#include "loadgen/scenarios/scenarios.h"
#include "loadgen/scenarios/zaqar_messages.h"
#include "loadgen/webhook_receiver.h"

namespace zqbench {
namespace {

constexpr double kDrainSeconds = 5.0;
constexpr uint64_t kMaxOutstanding = 1000;
constexpr uint64_t kHoldBackNs = kNsPerMs;

// What all flows of a run share: messages issued and acknowledged, per queue.
struct FanoutState {
    std::vector<uint64_t> acknowledged;  // per queue, whole run (warm-up included)
    uint64_t issued = 0;  // messages sent and not refused: what the hold-back counts as owed
};

class FanoutFlow : public Flow {
  public:
    FanoutFlow(const ScenarioContext& context, int queue, int postKind, int postedCounter,
               ProducerBudget& budget, FanoutState& state, const WebhookReceiver& receiver)
        : context_(context),
          queue_(queue),
          inner_(context, queue, postKind, postedCounter, budget),
          state_(state),
          receiver_(receiver) {}

    Next next(uint64_t nowNs) override {
        const auto subscribers = static_cast<uint64_t>(context_.options.subscribers);
        if (context_.options.rate <= 0) {
            const uint64_t owed = state_.issued * subscribers;
            const uint64_t delivered = receiver_.total();
            const uint64_t outstanding = owed > delivered ? owed - delivered : 0;
            const uint64_t adding = static_cast<uint64_t>(context_.options.batch) * subscribers;
            if (outstanding > 0 && outstanding + adding > kMaxOutstanding)
                return Next{{}, nowNs + kHoldBackNs, false};
        }
        Next n = inner_.next(nowNs);
        if (n.request) state_.issued += n.request->tag;
        return n;
    }

    // The body carried the time the flow produced it; at a constant rate the request may
    // wait for its slot, and latency is charged from the slot, as for every request.
    void onSend(Request& request) override {
        if (request.intendedNs != request.readyNs)
            request.body =
                postBody(static_cast<int>(request.tag), context_.options.size, request.intendedNs);
    }

    void onResponse(const Request& request, const Response& response) override {
        inner_.onResponse(request, response);
        if (response.status == 201) {
            state_.acknowledged[static_cast<size_t>(queue_)] += request.tag;
        } else {
            // Refused, or lost with its connection: no longer counted as owed. (A lost post
            // that was stored anyway delivers more than expected, which is never "missing".)
            state_.issued -= std::min(state_.issued, request.tag);
        }
    }

  private:
    const ScenarioContext& context_;
    int queue_;
    ProducerFlow inner_;
    FanoutState& state_;
    const WebhookReceiver& receiver_;
};

class FanoutScenario : public Scenario {
  public:
    explicit FanoutScenario(const ScenarioContext& context)
        : context_(context),
          queueKind_(context.metrics.addKind("queue_put", {201, 204})),
          subscribeKind_(context.metrics.addKind("subscribe", {201})),
          postKind_(context.metrics.addKind("post", {201})),
          posted_(context.metrics.addCounter("messages_posted")),
          notified_(context.metrics.addCounter("notifications")),
          receiver_(context.metrics, notified_, context.metrics.addHistogram("post_to_delivery")) {
        context.metrics.setMessageCounter(notified_);
        budget_.limit = context.options.stopAfter;
        state_.acknowledged.assign(static_cast<size_t>(context.options.queues), 0);
    }

    bool attach(event_base* base, std::string* error) override {
        return receiver_.start(base, error);
    }
    void detach() override { receiver_.stop(); }

    std::vector<Request> setupRequests() override {
        std::vector<Request> out;
        const int subscribers = context_.options.subscribers;
        for (int q = 0; q < context_.options.queues; ++q) {
            Request put;
            put.method = "PUT";
            put.path = queuePath(q);
            put.contentType = "application/json";
            put.body = "{}";
            put.kind = queueKind_;
            out.push_back(std::move(put));
            for (int i = 0; i < subscribers; ++i) {
                Request sub;
                sub.method = "POST";
                sub.path = queuePath(q) + "/subscriptions";
                sub.contentType = "application/json";
                sub.body = R"({"subscriber": "http://127.0.0.1:)" +
                           std::to_string(receiver_.port()) + subscriberPath(q, i) +
                           R"(", "ttl": 3600, "options": {}})";
                sub.kind = subscribeKind_;
                out.push_back(std::move(sub));
            }
        }
        return out;
    }

    std::unique_ptr<Flow> makeFlow(int index) override {
        return std::make_unique<FanoutFlow>(context_, index % context_.options.queues, postKind_,
                                            posted_, budget_, state_, receiver_);
    }

    double drainLimit() const override { return kDrainSeconds; }

    bool drained(double waitedSeconds) override {
        const uint64_t missing = missingDeliveries();
        uint64_t expected = 0;
        for (uint64_t n : state_.acknowledged) expected += n;
        expected *= static_cast<uint64_t>(context_.options.subscribers);
        Metrics& m = context_.metrics;
        m.setGauge("deliveries_expected", static_cast<double>(expected));
        m.setGauge("deliveries_received", static_cast<double>(receiver_.total()));
        m.setGauge("deliveries_missing", static_cast<double>(missing));
        m.setGauge("deliveries_unstamped", static_cast<double>(receiver_.unstamped()));
        m.setGauge("drain_ms", waitedSeconds * 1000.0);
        if (missing > 0 && waitedSeconds >= kDrainSeconds) {
            std::fprintf(stderr,
                         "loadgen: %llu of %llu notifications still missing after %.1f s (is "
                         "zaqard's [storage] message_pipeline = zaqar.notification.notifier?)\n",
                         static_cast<unsigned long long>(missing),
                         static_cast<unsigned long long>(expected), waitedSeconds);
        }
        return missing == 0;
    }

    std::string roles() const override {
        return std::to_string(context_.options.connections) + " producers, " +
               std::to_string(context_.options.subscribers) +
               (context_.options.subscribers == 1 ? " subscriber" : " subscribers") + " per queue";
    }

  private:
    std::string subscriberPath(int queue, int index) const {
        return "/s/" + std::to_string(queue * context_.options.subscribers + index);
    }

    uint64_t missingDeliveries() const {
        uint64_t missing = 0;
        const int subscribers = context_.options.subscribers;
        for (int q = 0; q < context_.options.queues; ++q) {
            const uint64_t acknowledged = state_.acknowledged[static_cast<size_t>(q)];
            for (int i = 0; i < subscribers; ++i) {
                const uint64_t got = receiver_.deliveredTo(subscriberPath(q, i));
                if (got < acknowledged) missing += acknowledged - got;
            }
        }
        return missing;
    }

    const ScenarioContext& context_;
    int queueKind_;
    int subscribeKind_;
    int postKind_;
    int posted_;
    int notified_;
    WebhookReceiver receiver_;
    ProducerBudget budget_;
    FanoutState state_;
};

}  // namespace

std::unique_ptr<Scenario> makeFanoutScenario(const ScenarioContext& context) {
    return std::make_unique<FanoutScenario>(context);
}

}  // namespace zqbench
