// Factories of the built-in scenarios (one file each), used by the registry in scenario.cpp.
#pragma once

#include <memory>

#include "loadgen/scenario.h"

namespace zqbench {

std::unique_ptr<Scenario> makeProducerScenario(const ScenarioContext& context);
std::unique_ptr<Scenario> makeConsumerScenario(const ScenarioContext& context);
std::unique_ptr<Scenario> makeObserverScenario(const ScenarioContext& context);
std::unique_ptr<Scenario> makeChurnScenario(const ScenarioContext& context);
std::unique_ptr<Scenario> makePingScenario(const ScenarioContext& context, bool head);
std::unique_ptr<Scenario> makeFanoutScenario(const ScenarioContext& context);

}  // namespace zqbench
