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

// Long polling: a list or claim reply with no message may end with the ms until a delay
// or a claim ends (mark_waiting in _lib.lua) where the first message would be; -1 if not.
int64_t wakeInMs(const RedisValue& reply, size_t first);

}  // namespace zaqard::storage::redis
