// The reserved queue metadata keys the scripts need, mirrored into the queue's hash so a
// script never parses metadata JSON (or reads another tag) to apply them.
#pragma once

#include <string>
#include <vector>

#include "src/common/json.h"

namespace zaqard::storage::redis {

// Script arguments, "" when absent or not applicable, in the order the queue_create and
// queue_set_metadata scripts expect: ttl, delay, maxpost, maxcc, dlq, dlqttl, idw.
//  ttl/delay/maxpost/dlqttl: the integer when truthy (Zaqar ignores falsy values);
//  maxcc and dlq: set together, only when the metadata has both _max_claim_count (an
//  integer) and _dead_letter_queue (a valid queue name), as Zaqar requires both.
//  idw: _idempotency_window (beyond Zaqar), the integer when positive (post.lua's
//  default, 300 s, otherwise).
std::vector<std::string> reservedMirrors(const Json& metadata);

// Whether `name` is a valid queue name ([A-Za-z0-9_.-]{1,64}).
bool isQueueName(const std::string& name);

}  // namespace zaqard::storage::redis
