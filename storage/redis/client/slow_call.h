// Slow Redis calls: a warning for each command whose round trip passes a threshold
// ([zaqard] redis_slow_call_ms), naming the command, the server and the request that sent
// it (log::currentRequestId() when the command was sent). Process-wide, set at start-up.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace zaqard::storage::redis {

void setSlowCallThreshold(std::chrono::milliseconds threshold);  // 0: no warnings
bool slowCallWarnings();
std::chrono::microseconds slowCallThreshold();

// What a pending command needs to be named in a warning: the command word (and for
// FCALL the function), the sending request's id. Filled only when warnings are on.
struct SlowCallLabel {
    std::string command;
    std::string requestId;
};
SlowCallLabel labelFor(const std::string& word, const std::string* function);
void warnSlowCall(const SlowCallLabel& label, std::string_view node, int64_t micros);

}  // namespace zaqard::storage::redis
