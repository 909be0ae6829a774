// The posting half of the message scenarios: one POST of `batch` messages per request,
// with the send time inside each body so consumers can measure end-to-end latency.
#pragma once

#include <cstdint>

#include "loadgen/scenario.h"

namespace zqbench {

// Shared by all producer flows of a run: stops the run after --stop-after messages.
struct ProducerBudget {
    uint64_t limit = 0;  // 0 = unlimited
    uint64_t issued = 0;
};

class ProducerFlow : public Flow {
  public:
    ProducerFlow(const ScenarioContext& context, int queue, int postKind, int postedCounter,
                 ProducerBudget& budget);
    Next next(uint64_t nowNs) override;
    void onResponse(const Request& request, const Response& response) override;

  private:
    const ScenarioContext& context_;
    std::string path_;
    int postKind_;
    int postedCounter_;
    ProducerBudget& budget_;
    uint64_t keys_ = 0;  // Idempotency-Keys issued (--idempotency-key)
};

}  // namespace zqbench
