// Scenario 1, producer: every connection posts `batch` messages per request (the plan
// measures batch 1 and batch 10). Reports messages/s acknowledged and the final backlog.
#include <memory>

#include "loadgen/scenarios/backlog.h"
#include "loadgen/scenarios/producer_flow.h"
#include "loadgen/scenarios/scenarios.h"
#include "loadgen/scenarios/zaqar_messages.h"

namespace zqbench {
namespace {

class ProducerScenario : public Scenario {
  public:
    explicit ProducerScenario(const ScenarioContext& context)
        : context_(context),
          postKind_(context.metrics.addKind("post", {201})),
          posted_(context.metrics.addCounter("messages_posted")),
          backlog_(context.metrics, context.options.queues) {
        context.metrics.setMessageCounter(posted_);
        budget_.limit = context.options.stopAfter;
    }

    std::unique_ptr<Flow> makeFlow(int index) override {
        return std::make_unique<ProducerFlow>(context_, index % context_.options.queues, postKind_,
                                              posted_, budget_);
    }
    std::vector<Request> finishRequests() override { return backlog_.requests(); }
    void onFinishResponse(const Request& q, const Response& r) override {
        backlog_.onResponse(q, r);
    }
    std::string roles() const override {
        return std::to_string(context_.options.connections) + " producers";
    }

  private:
    const ScenarioContext& context_;
    int postKind_;
    int posted_;
    Backlog backlog_;
    ProducerBudget budget_;
};

}  // namespace

std::unique_ptr<Scenario> makeProducerScenario(const ScenarioContext& context) {
    return std::make_unique<ProducerScenario>(context);
}

}  // namespace zqbench
