// Subscription input rules; see subscription_validation.h.
#include "src/api/subscription_validation.h"

#include <cctype>

#include "src/api/python_compat.h"
#include "src/api/queue_metadata.h"
#include "storage/types.h"

namespace zaqard::api {

namespace {

// 9999-12-31T23:59:59 UTC: datetime.max without its microseconds.
constexpr double kMaxDatetimeSeconds = 253402300799.0;

std::string typesText(const Limits& limits) {
    return py::reprList(limits.subscriber_types);
}

}  // namespace

std::string subscriberScheme(const std::string& subscriber) {
    auto colon = subscriber.find(':');
    if (colon == std::string::npos || colon == 0) return "";
    if (!std::isalpha(static_cast<unsigned char>(subscriber[0]))) return "";
    std::string scheme;
    for (size_t i = 0; i < colon; ++i) {
        unsigned char c = static_cast<unsigned char>(subscriber[i]);
        if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return "";
        scheme.push_back(static_cast<char>(std::tolower(c)));
    }
    return scheme;
}

Description validateSubscription(const json_t* document, bool requireSubscriber,
                                 const Limits& limits, double nowSeconds) {
    if (requireSubscriber && json_object_get(document, "subscriber") == nullptr)
        return "Missing parameter subscriber in body.";
    if (json_object_size(document) == 0) return "No subscription to create.";

    const json_t* subscriber = json_object_get(document, "subscriber");
    // Beyond Zaqar: an empty or non-string subscriber is refused with the scheme text
    // (Z15 fails later with a 503).
    if (subscriber != nullptr && (requireSubscriber || py::truthy(subscriber))) {
        std::string scheme = json_is_string(subscriber)
                                 ? subscriberScheme(json_string_value(subscriber))
                                 : std::string();
        bool known = false;
        for (const auto& type : limits.subscriber_types)
            if (!scheme.empty() && type == scheme) known = true;
        if (!known)
            return "The subscriber type of subscription must be supported in the list " +
                   typesText(limits) + ".";
    }

    const json_t* options = json_object_get(document, "options");
    if (py::truthy(options) && !json_is_object(options)) return "Options must be a dict.";
    if (json_is_object(options)) {
        if (auto problem = validateRetryPolicy(json_object_get(options, "_retry_policy")))
            return problem;
        // Beyond Zaqar (docs/notifications.md): a boolean when present.
        const json_t* hold = json_object_get(options, storage::kHoldUntilConfirmedOption);
        if (hold != nullptr && !json_is_boolean(hold))
            return std::string(storage::kHoldUntilConfirmedOption) + " must be a boolean.";
    }

    const json_t* ttl = json_object_get(document, "ttl");
    // Beyond Zaqar: ttl 0 is refused (Z15 skips the checks and the subscription vanishes).
    if (py::truthy(ttl) || (json_is_integer(ttl) && json_integer_value(ttl) == 0)) {
        if (!py::isIntLike(ttl)) return "TTL must be an integer.";
        int64_t seconds = json_is_boolean(ttl) ? (json_is_true(ttl) ? 1 : 0)
                                               : static_cast<int64_t>(json_integer_value(ttl));
        if (seconds < kMinSubscriptionTtl)
            return "The TTL for a subscription must be at least " +
                   std::to_string(kMinSubscriptionTtl) + " seconds long.";
        if (static_cast<double>(seconds) + nowSeconds > kMaxDatetimeSeconds)
            return "The TTL seconds for a subscription plus current time must be less than "
                   "9999-12-31 23:59:59.999999.";
    }
    return std::nullopt;
}

Description subscriptionListLimit(int64_t limit, const Limits& limits) {
    if (limit >= 1 && limit <= limits.max_subscriptions_per_page) return std::nullopt;
    return "Limit must be at least 1 and may not be greater than " +
           std::to_string(limits.max_subscriptions_per_page) + ".";
}

int64_t subscriptionTtl(const json_t* document, int64_t fallback) {
    const json_t* ttl = json_object_get(document, "ttl");
    if (json_is_integer(ttl) && json_integer_value(ttl) != 0) return json_integer_value(ttl);
    return fallback;
}

Json subscriptionOptions(const json_t* document) {
    const json_t* options = json_object_get(document, "options");
    if (json_is_object(options)) return Json::borrow(const_cast<json_t*>(options));
    return Json::object();
}

}  // namespace zaqard::api
