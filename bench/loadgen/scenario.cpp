// Scenario registry. Scenario 4 (websocket) of the benchmark plan is not a scenario of its
// own: the producer and consumer scenarios run over --transport websocket.
#include "loadgen/scenario.h"

#include "loadgen/scenarios/scenarios.h"

namespace zqbench {

std::unique_ptr<Scenario> makeScenario(const ScenarioContext& context, std::string* error) {
    const std::string& name = context.options.scenario;
    if (name == "producer") return makeProducerScenario(context);
    if (name == "consumer") return makeConsumerScenario(context);
    if (name == "observer") return makeObserverScenario(context);
    if (name == "churn") return makeChurnScenario(context);
    if (name == "ping") return makePingScenario(context, false);
    if (name == "ping-head") return makePingScenario(context, true);
    if (name == "fanout") return makeFanoutScenario(context);
    *error = "unknown scenario: " + name +
             " (producer, consumer, observer, churn, ping, ping-head, fanout; websocket is "
             "--transport websocket)";
    return nullptr;
}

}  // namespace zqbench
