#pragma once

#include <chrono>
#include <cstdint>

namespace zaqard {

// Wall-clock seconds since the epoch, as Zaqar uses for ages and expiries.
inline double nowSeconds() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

// Monotonic microseconds for durations and deadlines.
inline int64_t monotonicMicros() {
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace zaqard
