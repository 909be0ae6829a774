// Idempotency keys of a post; see idempotency.h.
#include "src/api/idempotency.h"

namespace zaqard::api {

bool isIdempotencyKey(std::string_view key) {
    if (key.empty() || key.size() > kMaxIdempotencyKey) return false;
    for (char c : key)
        if (c < 0x21 || c > 0x7e) return false;
    return true;
}

std::string requestIdempotencyKey(const Headers& headers, Description& problem) {
    auto found = headers.find(kIdempotencyHeader);
    if (found == headers.end()) return "";
    if (!isIdempotencyKey(found->second))
        problem = "Idempotency-Key must be 1 to 128 printable ASCII characters without spaces.";
    return found->second;
}

std::string messageIdempotencyKey(const json_t* message, Description& problem) {
    const json_t* key = json_object_get(message, kIdempotencyField);
    if (key == nullptr || json_is_null(key)) return "";
    if (!json_is_string(key) || !isIdempotencyKey(json_string_value(key))) {
        problem =
            "idempotency_key must be a string of 1 to 128 printable ASCII characters "
            "without spaces.";
        return "";
    }
    return json_string_value(key);
}

}  // namespace zaqard::api
