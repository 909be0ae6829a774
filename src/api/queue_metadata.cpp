#include "src/api/queue_metadata.h"

#include <optional>
#include <string>

#include "src/api/python_compat.h"

namespace zaqard::api {

namespace {

constexpr const char* kDefaultedKeys[] = {"_max_messages_post_size",         "_default_message_ttl",
                                          "_default_message_delay",          "_dead_letter_queue",
                                          "_dead_letter_queue_messages_ttl", "_max_claim_count",
                                          "_enable_encrypt_messages"};
// A topic fills in the first three only (zaqar/transport/wsgi/v2_0/topic.py).
constexpr size_t kTopicDefaultedKeys = 3;

// Retry-policy defaults from zaqar/common/consts.py.
constexpr int64_t kMinimumDelay = 5;
constexpr int64_t kMaximumDelay = 30;
constexpr int64_t kLinearInterval = 5;

// Zaqar's check of an int-typed reserved key, in Python: `if value and not isinstance(value,
// int)` gives the type text, then `if value is not None: if not (low <= value <= high)` the
// range text. A JSON integer passes as is. Where Zaqar answers 400 we answer the same text:
// booleans are ints in Python, so `true` (1) and `false` (0) fail the TTL ranges with the
// range text, as do 0.0 and other falsy numbers that skip the type check. Where Zaqar would
// store a non-integer (a boolean or 0.0 inside the range, e.g. `_default_message_delay:
// true`) or crash comparing ("", [], {} -> 500), we refuse with the type text instead.
struct Range {
    int64_t low;
    int64_t high;
    std::string text;  // Zaqar's range text
};

Description checkIntKey(const json_t* value, const std::string& typeText,
                        const std::optional<Range>& range) {
    if (value == nullptr || json_is_null(value)) return std::nullopt;  // "is not None"
    if (json_is_integer(value)) {
        int64_t v = json_integer_value(value);
        if (range && (v < range->low || v > range->high)) return range->text;
        return std::nullopt;
    }
    if (py::truthy(value) && !py::isIntLike(value)) return typeText;
    if (range && (json_is_boolean(value) || json_is_real(value))) {
        double v = json_is_real(value) ? json_real_value(value) : (json_is_true(value) ? 1 : 0);
        if (v < static_cast<double>(range->low) || v > static_cast<double>(range->high))
            return range->text;
    }
    return typeText;
}

}  // namespace

Description validateQueueMetadata(const json_t* metadata, const Limits& limits) {
    if (!json_is_object(metadata) || json_object_size(metadata) == 0) return std::nullopt;
    const std::string maxTtl = std::to_string(limits.max_message_ttl);
    auto key = [metadata](const char* name) { return json_object_get(metadata, name); };

    // Zaqar's order of checks (queue_metadata_putting).
    if (auto problem =
            checkIntKey(key("_default_message_ttl"), "_default_message_ttl must be integer.",
                        Range{kMinMessageTtl, limits.max_message_ttl,
                              "_default_message_ttl can not exceed " + maxTtl +
                                  " seconds, and must be at least 60 seconds long."}))
        return problem;
    if (auto problem =
            checkIntKey(key("_max_messages_post_size"), "_max_messages_post_size must be integer.",
                        Range{1, limits.max_messages_post_size,
                              "_max_messages_post_size can not exceed " +
                                  std::to_string(limits.max_messages_post_size) +
                                  ",  and must be at least greater than 0."}))  // sic
        return problem;
    if (auto problem =
            checkIntKey(key("_max_claim_count"), "_max_claim_count must be integer.", std::nullopt))
        return problem;
    if (auto problem = checkIntKey(key("_dead_letter_queue_messages_ttl"),
                                   "_dead_letter_queue_messages_ttl must be integer.",
                                   Range{kMinMessageTtl, limits.max_message_ttl,
                                         "The TTL for a message may not exceed " + maxTtl +
                                             " seconds, and must be at least 60 seconds long."}))
        return problem;
    if (auto problem =
            checkIntKey(key("_default_message_delay"), "_default_message_delay must be integer.",
                        Range{kMinDelay, limits.max_message_delay,
                              "The TTL can not exceed " + std::to_string(limits.max_message_delay) +
                                  " seconds, and must be at least 0 seconds long."}))
        return problem;

    // Beyond Zaqar (docs/api.md "Idempotent publish"): the window of Idempotency-Key.
    if (auto problem = checkIntKey(
            key("_idempotency_window"), "_idempotency_window must be integer.",
            Range{1, kMaxIdempotencyWindow,
                  "_idempotency_window can not exceed " + std::to_string(kMaxIdempotencyWindow) +
                      " seconds, and must be at least 1 second long."}))
        return problem;

    // Beyond Zaqar: a falsy non-boolean (0, "", []) is refused too; Zaqar stores it.
    const json_t* encrypt = key("_enable_encrypt_messages");
    if (encrypt != nullptr && !json_is_null(encrypt) && !json_is_boolean(encrypt))
        return "_enable_encrypt_messages must be boolean.";

    return validateRetryPolicy(key("_retry_policy"));
}

Description validateRetryPolicy(const json_t* policy) {
    // Zaqar skips falsy policies entirely and type-checks only truthy values.
    if (!py::truthy(policy)) return std::nullopt;
    if (!json_is_object(policy)) return "retry_policy must be a dict.";
    static const char* const kKeys[] = {"retries_with_no_delay",
                                        "minimum_delay_retries",
                                        "minimum_delay",
                                        "maximum_delay",
                                        "maximum_delay_retries",
                                        "retry_backoff_function",
                                        "ignore_subscription_override"};
    for (const char* key : kKeys) {
        const json_t* value = json_object_get(policy, key);
        if (!py::truthy(value)) continue;
        std::string_view name = key;
        if (name == "retry_backoff_function") {
            if (!json_is_string(value)) return "retry_backoff_function must be a string.";
            std::string_view fn = json_string_value(value);
            if (fn != "linear" && fn != "arithmetic" && fn != "exponential" && fn != "geometric")
                return "invalid retry_backoff_function.";
        } else if (name == "ignore_subscription_override") {
            if (!json_is_boolean(value)) return "ignore_subscription_override must be a boolean.";
        } else if (!py::isIntLike(value)) {
            return std::string("Retry policy: ") + key + " must be a integer.";
        }
    }
    auto delayValue = [policy](const char* key, int64_t fallback) -> std::optional<int64_t> {
        const json_t* value = json_object_get(policy, key);
        if (value == nullptr) return fallback;
        if (json_is_integer(value)) return json_integer_value(value);
        if (json_is_boolean(value)) return json_is_true(value) ? 1 : 0;
        return std::nullopt;  // Zaqar crashes comparing these; we reject them instead
    };
    auto minDelay = delayValue("minimum_delay", kMinimumDelay);
    if (!minDelay) return "Retry policy: minimum_delay must be a integer.";
    auto maxDelay = delayValue("maximum_delay", kMaximumDelay);
    if (!maxDelay) return "Retry policy: maximum_delay must be a integer.";
    if (*maxDelay < *minDelay) return "minimum_delay must less than maximum_delay.";
    if (*maxDelay - *minDelay < 2 * kLinearInterval)
        return "invalid minimum_delay and maximum_delay.";
    return std::nullopt;
}

Json withReservedDefaults(const json_t* stored, const Limits& limits, bool topic) {
    Json result = json_is_object(stored) ? Json::adopt(json_deep_copy(stored)) : Json::object();
    auto fill = [&result](const char* key, Json value) {
        if (!py::truthy(result.at(key))) result.set(key, std::move(value));
    };
    fill("_max_messages_post_size", Json::integer(limits.max_messages_post_size));
    fill("_default_message_ttl", Json::integer(limits.default_message_ttl));
    fill("_default_message_delay", Json::integer(limits.default_message_delay));
    if (topic) return result;
    fill("_dead_letter_queue", Json::null());
    fill("_dead_letter_queue_messages_ttl", Json::null());
    fill("_max_claim_count", Json::null());
    fill("_enable_encrypt_messages", Json::boolean(false));
    return result;
}

bool isDefaultedReservedKey(std::string_view key, bool topic) {
    const size_t count = topic ? kTopicDefaultedKeys : std::size(kDefaultedKeys);
    for (size_t i = 0; i < count; ++i)
        if (key == kDefaultedKeys[i]) return true;
    return false;
}

}  // namespace zaqard::api
