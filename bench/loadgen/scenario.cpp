// Scenario registry. Scenario 4 (websocket) and 5 (fan-out webhooks) of the benchmark plan
// land with the websocket transport and the notifiers; they plug in here.
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
    *error = "unknown scenario: " + name +
             " (producer, consumer, observer, churn, ping, ping-head; websocket and webhooks come "
             "later)";
    return nullptr;
}

}  // namespace zqbench
