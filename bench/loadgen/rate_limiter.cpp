// Slots are spread by a per-connection phase so that N connections at rate R/N do not all
// fire on the same tick, which would turn a constant rate into bursts.
#include "loadgen/rate_limiter.h"

#include "loadgen/clock.h"

namespace zqbench {

RateLimiter::RateLimiter(double ratePerSec, uint64_t startNs, double phase) {
    if (ratePerSec <= 0) return;
    intervalNs_ = static_cast<uint64_t>(static_cast<double>(kNsPerSec) / ratePerSec);
    if (intervalNs_ == 0) intervalNs_ = 1;
    next_ = startNs + static_cast<uint64_t>(phase * static_cast<double>(intervalNs_));
}

uint64_t RateLimiter::take() {
    const uint64_t slot = next_;
    next_ += intervalNs_;
    return slot;
}

}  // namespace zqbench
