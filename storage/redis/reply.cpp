// Conversion of hiredis replies into owned RedisValue trees.
#include "storage/redis/reply.h"

#include <hiredis/hiredis.h>

#include <charconv>

namespace zaqard::storage::redis {

RedisValue RedisValue::fromHiredis(const redisReply* reply) {
    RedisValue value;
    if (reply == nullptr) return value;
    switch (reply->type) {
        case REDIS_REPLY_INTEGER:
            value.type = Type::Integer;
            value.integer = reply->integer;
            break;
        case REDIS_REPLY_STRING:
        case REDIS_REPLY_STATUS:
        case REDIS_REPLY_ERROR:
            value.type = reply->type == REDIS_REPLY_STRING   ? Type::String
                         : reply->type == REDIS_REPLY_STATUS ? Type::Status
                                                             : Type::Error;
            value.str.assign(reply->str, reply->len);
            break;
        case REDIS_REPLY_ARRAY:
            value.type = Type::Array;
            value.elements.reserve(reply->elements);
            for (size_t i = 0; i < reply->elements; ++i)
                value.elements.push_back(fromHiredis(reply->element[i]));
            break;
        default:
            break;
    }
    return value;
}

const RedisValue& RedisValue::at(size_t i) const {
    static const RedisValue nil;
    return i < elements.size() ? elements[i] : nil;
}

int64_t RedisValue::asInt() const {
    if (type == Type::Integer) return integer;
    if (type != Type::String && type != Type::Status) return 0;
    int64_t out = 0;
    std::from_chars(str.data(), str.data() + str.size(), out);
    return out;
}

std::string RedisValue::asString() const {
    if (type == Type::Integer) return std::to_string(integer);
    if (type == Type::Array) return {};
    return str;
}

}  // namespace zaqard::storage::redis
