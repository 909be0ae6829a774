#include "loadgen/ws_mapping_check.h"

#include "loadgen/clock.h"
#include "loadgen/metrics.h"
#include "loadgen/scenario.h"
#include "loadgen/ws_frame.h"

namespace zqbench {

bool checkWsMapping(const Options& options, const std::string& project, std::string* error) {
    Metrics metrics;
    ScenarioContext context{options, metrics, project};
    auto scenario = makeScenario(context, error);
    if (!scenario) return false;
    const uint64_t now = nowNs();
    for (int i = 0; i < options.connections; ++i) {
        auto flow = scenario->makeFlow(i);
        Next next = flow->next(now);
        if (!next.request) continue;
        std::string frame;
        if (!renderWsFrame(*next.request, "00000000-0000-4000-8000-000000000000", project, &frame,
                           error)) {
            *error = "scenario " + options.scenario +
                     " cannot run over --transport websocket: " + *error;
            return false;
        }
    }
    return true;
}

}  // namespace zqbench
