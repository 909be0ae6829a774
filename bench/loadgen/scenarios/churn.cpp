// Scenario 6, queue churn: each connection creates a queue (PUT with metadata), changes its
// metadata (PATCH, JSON-patch media type) and deletes it, then moves on to a new name.
// The three requests are independent, so they pipeline when --pipeline allows.
#include <memory>

#include "loadgen/scenarios/scenarios.h"

namespace zqbench {
namespace {

struct ChurnKinds {
    int put;
    int patch;
    int remove;
    int cycled;
};

class ChurnFlow : public Flow {
  public:
    ChurnFlow(const ScenarioContext& context, int index, const ChurnKinds& kinds)
        : context_(context),
          kinds_(kinds),
          prefix_("/v2/queues/churn-" + std::to_string(index) + "-") {}

    Next next(uint64_t) override {
        Request r;
        r.path = prefix_ + std::to_string(cycle_);
        switch (step_) {
            case 0:
                r.method = "PUT";
                r.contentType = "application/json";
                r.body = R"({"owner": "bench", "_default_message_ttl": 300})";
                r.kind = kinds_.put;
                break;
            case 1:
                r.method = "PATCH";
                r.contentType = "application/openstack-messaging-v2.0-json-patch";
                r.body = R"([{"op": "add", "path": "/metadata/color", "value": "blue"}])";
                r.kind = kinds_.patch;
                break;
            default:
                r.method = "DELETE";
                r.kind = kinds_.remove;
                break;
        }
        if (++step_ == 3) {
            step_ = 0;
            ++cycle_;
        }
        return Next{std::move(r), 0, false};
    }

    void onResponse(const Request& request, const Response& response) override {
        if (request.kind == kinds_.remove && response.status == 204)
            context_.metrics.count(kinds_.cycled, 1, request, response);
    }

  private:
    const ScenarioContext& context_;
    const ChurnKinds& kinds_;
    std::string prefix_;
    int step_ = 0;
    uint64_t cycle_ = 0;
};

class ChurnScenario : public Scenario {
  public:
    explicit ChurnScenario(const ScenarioContext& context) : context_(context) {
        Metrics& m = context.metrics;
        kinds_.put = m.addKind("put", {201, 204});
        kinds_.patch = m.addKind("patch", {200});
        kinds_.remove = m.addKind("delete_queue", {204});
        kinds_.cycled = m.addCounter("queues_cycled");
    }
    std::unique_ptr<Flow> makeFlow(int index) override {
        return std::make_unique<ChurnFlow>(context_, index, kinds_);
    }
    std::string roles() const override {
        return std::to_string(context_.options.connections) + " churners";
    }

  private:
    const ScenarioContext& context_;
    ChurnKinds kinds_{};
};

}  // namespace

std::unique_ptr<Scenario> makeChurnScenario(const ScenarioContext& context) {
    return std::make_unique<ChurnScenario>(context);
}

}  // namespace zqbench
