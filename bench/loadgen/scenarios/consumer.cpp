// Scenario 2, consumer cycle: producers post while consumers claim (limit --claim-limit)
// and delete what they claimed, either with one bulk DELETE ?ids=...&claim_ids=<cid> or
// one DELETE .../messages/<id>?claim_id=<cid> per message (--delete-mode each). A message
// counts as delivered when its delete is acknowledged; end-to-end latency runs from the
// post's send time (inside the body) to the claim response that carried it.
#include <memory>

#include "loadgen/clock.h"
#include "loadgen/scenarios/backlog.h"
#include "loadgen/scenarios/producer_flow.h"
#include "loadgen/scenarios/scenarios.h"
#include "loadgen/scenarios/zaqar_messages.h"

namespace zqbench {
namespace {

struct ConsumerKinds {
    int claim;
    int remove;
    int claimed;
    int delivered;
    int emptyClaims;
    int endToEnd;
};

class ConsumerFlow : public Flow {
  public:
    ConsumerFlow(const ScenarioContext& context, int queue, const ConsumerKinds& kinds)
        : context_(context),
          kinds_(kinds),
          queuePath_(queuePath(queue)),
          claimPath_(queuePath_ + "/claims?limit=" + std::to_string(context.options.claimLimit)),
          backoffNs_(static_cast<uint64_t>(context.options.idleBackoffMs * kNsPerMs)) {}

    Next next(uint64_t nowNs) override {
        if (!deletes_.empty()) {
            Request r = std::move(deletes_.back());
            deletes_.pop_back();
            ++deletesInFlight_;
            return Next{std::move(r), 0, false};
        }
        if (claimInFlight_ || deletesInFlight_ > 0) return Next{};
        if (nowNs < retryAtNs_) return Next{{}, retryAtNs_, false};
        Request r;
        r.method = "POST";
        r.path = claimPath_;
        r.contentType = "application/json";
        r.body = R"({"ttl": 60, "grace": 60})";
        r.kind = kinds_.claim;
        claimInFlight_ = true;
        return Next{std::move(r), 0, false};
    }

    void onResponse(const Request& request, const Response& response) override {
        if (request.kind == kinds_.remove) {
            --deletesInFlight_;
            if (response.status == 204)
                context_.metrics.count(kinds_.delivered, request.tag, request, response);
            return;
        }
        claimInFlight_ = false;
        if (response.status != 201) {
            if (response.status == 204)
                context_.metrics.count(kinds_.emptyClaims, 1, request, response);
            retryAtNs_ = response.completedNs + backoffNs_;
            return;
        }
        ClaimedMessages claimed = scanClaim(response.body);
        context_.metrics.count(kinds_.claimed, claimed.ids.size(), request, response);
        for (uint64_t sent : claimed.sentNs) {
            if (sent > 0 && sent <= response.completedNs)
                context_.metrics.sample(kinds_.endToEnd, response.completedNs - sent, request,
                                        response);
        }
        if (claimed.ids.empty()) return;
        if (context_.options.deleteMode == "each") {
            for (const std::string& id : claimed.ids) {
                deletes_.push_back(
                    makeDelete(queuePath_ + "/messages/" + id + "?claim_id=" + claimed.claimId, 1));
            }
        } else {
            std::string path = queuePath_ + "/messages?ids=";
            for (size_t i = 0; i < claimed.ids.size(); ++i) {
                if (i) path.push_back(',');
                path.append(claimed.ids[i]);
            }
            // claim_ids only matters when the server requires it (message_delete_with_claim_id).
            path.append("&claim_ids=").append(claimed.claimId);
            deletes_.push_back(makeDelete(std::move(path), claimed.ids.size()));
        }
    }

  private:
    Request makeDelete(std::string path, uint64_t messages) const {
        Request r;
        r.method = "DELETE";
        r.path = std::move(path);
        r.kind = kinds_.remove;
        r.dependent = true;
        r.tag = messages;
        return r;
    }

    const ScenarioContext& context_;
    const ConsumerKinds& kinds_;
    std::string queuePath_;
    std::string claimPath_;
    uint64_t backoffNs_;
    uint64_t retryAtNs_ = 0;
    bool claimInFlight_ = false;
    int deletesInFlight_ = 0;
    std::vector<Request> deletes_;
};

class ConsumerScenario : public Scenario {
  public:
    explicit ConsumerScenario(const ScenarioContext& context)
        : context_(context),
          postKind_(context.metrics.addKind("post", {201})),
          posted_(context.metrics.addCounter("messages_posted")),
          backlog_(context.metrics, context.options.queues) {
        Metrics& m = context.metrics;
        kinds_.claim = m.addKind("claim", {201, 204});
        kinds_.remove = m.addKind("delete", {204});
        kinds_.claimed = m.addCounter("messages_claimed");
        kinds_.delivered = m.addCounter("messages_delivered");
        kinds_.emptyClaims = m.addCounter("empty_claims");
        kinds_.endToEnd = m.addHistogram("post_to_claim");
        m.setMessageCounter(kinds_.delivered);
        consumers_ = context.options.consumers >= 0 ? context.options.consumers
                                                    : context.options.connections / 2;
        if (consumers_ > context.options.connections) consumers_ = context.options.connections;
        producers_ = context.options.connections - consumers_;
    }

    std::unique_ptr<Flow> makeFlow(int index) override {
        const int queues = context_.options.queues;
        if (index < producers_) {
            return std::make_unique<ProducerFlow>(context_, index % queues, postKind_, posted_,
                                                  budget_);
        }
        return std::make_unique<ConsumerFlow>(context_, (index - producers_) % queues, kinds_);
    }
    std::vector<Request> finishRequests() override { return backlog_.requests(); }
    void onFinishResponse(const Request& q, const Response& r) override {
        backlog_.onResponse(q, r);
    }
    std::string roles() const override {
        return std::to_string(producers_) + " producers, " + std::to_string(consumers_) +
               " consumers";
    }

  private:
    const ScenarioContext& context_;
    int postKind_;
    int posted_;
    ConsumerKinds kinds_{};
    Backlog backlog_;
    ProducerBudget budget_;
    int producers_ = 0;
    int consumers_ = 0;
};

}  // namespace

std::unique_ptr<Scenario> makeConsumerScenario(const ScenarioContext& context) {
    return std::make_unique<ConsumerScenario>(context);
}

}  // namespace zqbench
