// Message tuple decoding; see message_codec.h.
#include "storage/redis/message_codec.h"

#include <algorithm>

namespace zaqard::storage::redis {

Message decodeMessage(const RedisValue& tuple, int64_t nowMs) {
    Message message;
    message.id = tuple.at(0).asString();
    message.body = tuple.at(1).asString();
    message.ttl = tuple.at(2).asInt();
    int64_t createdMs = tuple.at(3).asInt();
    message.created = static_cast<double>(createdMs) / 1000.0;
    message.age = std::max<int64_t>(0, (nowMs - createdMs) / 1000);
    message.claimId = tuple.at(4).asString();
    message.claimCount = tuple.at(5).asInt();
    if (tuple.size() > 6) message.group = tuple.at(6).asString();
    return message;
}

int64_t wakeInMs(const RedisValue& reply, size_t first) {
    if (reply.size() != first + 1 || reply.at(first).type != RedisValue::Type::Integer) return -1;
    return reply.at(first).asInt();
}

std::vector<Message> decodeMessages(const RedisValue& reply, size_t first, int64_t nowMs) {
    std::vector<Message> messages;
    if (reply.size() == first + 1 && reply.at(first).type == RedisValue::Type::Integer)
        return messages;  // wakeInMs(), not a message
    for (size_t i = first; i < reply.size(); ++i)
        messages.push_back(decodeMessage(reply.at(i), nowMs));
    return messages;
}

}  // namespace zaqard::storage::redis
