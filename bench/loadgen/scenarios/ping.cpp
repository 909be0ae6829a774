// The HTTP ceilings: GET /v2/ping answers after a storage ping, HEAD /v2/ping without
// touching storage, so HEAD measures zaqard's HTTP path alone.
#include <memory>

#include "loadgen/scenarios/scenarios.h"

namespace zqbench {
namespace {

class PingFlow : public Flow {
  public:
    PingFlow(std::string_view method, int kind) : method_(method), kind_(kind) {}
    Next next(uint64_t) override {
        Request r;
        r.method = method_;
        r.path = "/v2/ping";
        r.kind = kind_;
        return Next{std::move(r), 0, false};
    }
    void onResponse(const Request&, const Response&) override {}

  private:
    std::string_view method_;
    int kind_;
};

class PingScenario : public Scenario {
  public:
    PingScenario(const ScenarioContext& context, bool head)
        : context_(context),
          method_(head ? "HEAD" : "GET"),
          kind_(context.metrics.addKind(head ? "ping_head" : "ping_get", {204})) {}
    std::unique_ptr<Flow> makeFlow(int) override {
        return std::make_unique<PingFlow>(method_, kind_);
    }
    std::string roles() const override {
        return std::to_string(context_.options.connections) + " pingers";
    }

  private:
    const ScenarioContext& context_;
    std::string_view method_;
    int kind_;
};

}  // namespace

std::unique_ptr<Scenario> makePingScenario(const ScenarioContext& context, bool head) {
    return std::make_unique<PingScenario>(context, head);
}

}  // namespace zqbench
