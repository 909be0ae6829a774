// Monotonic time in nanoseconds: every latency and schedule in the load generator uses it,
// so intended send times, send times and completion times are directly comparable.
#pragma once

#include <cstdint>
#include <ctime>

namespace zqbench {

inline uint64_t nowNs() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

constexpr uint64_t kNsPerMs = 1'000'000ull;
constexpr uint64_t kNsPerSec = 1'000'000'000ull;

}  // namespace zqbench
