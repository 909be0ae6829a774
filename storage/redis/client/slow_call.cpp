#include "storage/redis/client/slow_call.h"

#include <atomic>
#include <cstdio>

#include "src/common/log.h"

namespace zaqard::storage::redis {

namespace {
std::atomic<int64_t> thresholdMicros{0};
}  // namespace

void setSlowCallThreshold(std::chrono::milliseconds threshold) {
    thresholdMicros.store(std::chrono::microseconds(threshold).count(), std::memory_order_relaxed);
}

bool slowCallWarnings() {
    return thresholdMicros.load(std::memory_order_relaxed) > 0;
}

std::chrono::microseconds slowCallThreshold() {
    return std::chrono::microseconds(thresholdMicros.load(std::memory_order_relaxed));
}

SlowCallLabel labelFor(const std::string& word, const std::string* function) {
    SlowCallLabel label;
    label.command = word;
    if (function) label.command.append(" ").append(*function);
    label.requestId = log::currentRequestId();
    return label;
}

void warnSlowCall(const SlowCallLabel& label, std::string_view node, int64_t micros) {
    char took[32];
    std::snprintf(took, sizeof took, "%.1f ms", static_cast<double>(micros) / 1000.0);
    std::string line =
        "redis: slow call: " + label.command + " to " + std::string(node) + " took " + took;
    // The line is written from the reply callback, outside the request's scope: name the
    // request that sent the command.
    log::RequestScope scope(label.requestId);
    log::warning(line);
}

}  // namespace zaqard::storage::redis
