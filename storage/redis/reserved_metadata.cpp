// Reserved metadata mirrors; see reserved_metadata.h.
#include "storage/redis/reserved_metadata.h"

namespace zaqard::storage::redis {

namespace {

std::string positiveInteger(const Json& metadata, const char* key) {
    json_t* value = metadata.at(key);
    if (!json_is_integer(value) || json_integer_value(value) <= 0) return "";
    return std::to_string(json_integer_value(value));
}

}  // namespace

bool isQueueName(const std::string& name) {
    if (name.empty() || name.size() > 64) return false;
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-';
        if (!ok) return false;
    }
    return true;
}

std::vector<std::string> reservedMirrors(const Json& metadata) {
    std::vector<std::string> mirrors;
    mirrors.push_back(positiveInteger(metadata, "_default_message_ttl"));
    mirrors.push_back(positiveInteger(metadata, "_default_message_delay"));
    mirrors.push_back(positiveInteger(metadata, "_max_messages_post_size"));
    json_t* maxClaims = metadata.at("_max_claim_count");
    json_t* deadLetter = metadata.at("_dead_letter_queue");
    if (json_is_integer(maxClaims) && json_is_string(deadLetter) &&
        isQueueName(json_string_value(deadLetter))) {
        mirrors.push_back(std::to_string(json_integer_value(maxClaims)));
        mirrors.push_back(json_string_value(deadLetter));
    } else {
        mirrors.push_back("");
        mirrors.push_back("");
    }
    mirrors.push_back(positiveInteger(metadata, "_dead_letter_queue_messages_ttl"));
    mirrors.push_back(positiveInteger(metadata, "_idempotency_window"));
    return mirrors;
}

}  // namespace zaqard::storage::redis
