// A Redis reply as an owned value. hiredis frees its redisReply right after the async
// callback returns, so replies are copied into this tree before anyone keeps them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct redisReply;

namespace zaqard::storage::redis {

struct RedisValue {
    enum class Type { Nil, Integer, String, Status, Error, Array };

    Type type = Type::Nil;
    int64_t integer = 0;
    std::string str;  // String, Status and Error payloads
    std::vector<RedisValue> elements;

    static RedisValue fromHiredis(const redisReply* reply);

    bool isNil() const { return type == Type::Nil; }
    bool isError() const { return type == Type::Error; }
    bool isArray() const { return type == Type::Array; }

    // Element `i` of an array, or a shared Nil when absent: keeps parsers free of bounds
    // checks, since a malformed reply then reads as zeros and empty strings.
    const RedisValue& at(size_t i) const;
    size_t size() const { return elements.size(); }

    // Integer replies, or strings holding a decimal integer; 0 otherwise.
    int64_t asInt() const;
    // String/status payload, an integer in decimal, "" for Nil.
    std::string asString() const;
};

}  // namespace zaqard::storage::redis
