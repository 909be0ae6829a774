// Decoding of the message tuples the scripts answer:
// {id, body, ttl s, created ms, live claim id, claim count, group ("" none)}.
#pragma once

#include <cstdint>

#include "storage/redis/reply.h"
#include "storage/types.h"

namespace zaqard::storage::redis {

// `nowMs` is the script's Redis TIME, so ages use the same clock as expiries.
Message decodeMessage(const RedisValue& tuple, int64_t nowMs);

// Decodes elements [first, end) of a script reply.
std::vector<Message> decodeMessages(const RedisValue& reply, size_t first, int64_t nowMs);

}  // namespace zaqard::storage::redis
