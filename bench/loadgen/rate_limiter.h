// Constant-rate scheduling, as wrk2 does it: each connection owns a fixed grid of intended
// send times (start + k * interval). A request's latency is measured from its slot on the
// grid, not from when it was finally written, so a stalled server is charged for every
// request it delayed (no coordinated omission).
#pragma once

#include <cstdint>

namespace zqbench {

class RateLimiter {
  public:
    // ratePerSec <= 0 means unlimited: every request's intended time is "now".
    RateLimiter(double ratePerSec, uint64_t startNs, double phase);

    bool limited() const { return intervalNs_ > 0; }
    // Intended time of the next request.
    uint64_t nextSlot() const { return next_; }
    // Takes the next slot and returns its intended time.
    uint64_t take();

  private:
    uint64_t intervalNs_ = 0;
    uint64_t next_ = 0;
};

}  // namespace zqbench
