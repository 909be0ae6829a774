// Subscription input rules; see subscription_validation.h.
#include "src/api/subscription_validation.h"

#include <cctype>

#include "notifiers/filter_policy.h"
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
    // A null field is a field not given: Zaqar's update drops None values (python-zaqarclient
    // sends {"subscriber": null, ...} for an update of the TTL only), and a null ttl or
    // options on POST would only fail later in Zaqar's storage (503).

    const json_t* subscriber = json_object_get(document, "subscriber");
    // Beyond Zaqar: an empty or non-string subscriber is refused with the scheme text
    // (Z15 stores "" on PATCH and fails with 503 on POST or 400 on PATCH for other types).
    // A null one on POST is refused the same way (only PATCH treats it as not given).
    if (subscriber != nullptr && (requireSubscriber || !json_is_null(subscriber))) {
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

    // Beyond Zaqar for falsy non-objects ([], "", 0, false): Zaqar stores them as options.
    const json_t* options = json_object_get(document, "options");
    if (options != nullptr && !json_is_null(options) && !json_is_object(options))
        return "Options must be a dict.";
    if (json_is_object(options)) {
        if (auto problem = validateRetryPolicy(json_object_get(options, "_retry_policy")))
            return problem;
        // Beyond Zaqar (docs/notifications.md): a boolean when present.
        const json_t* hold = json_object_get(options, storage::kHoldUntilConfirmedOption);
        if (hold != nullptr && !json_is_boolean(hold))
            return std::string(storage::kHoldUntilConfirmedOption) + " must be a boolean.";
        // Beyond Zaqar (docs/api.md "Filter policies"): null is no policy.
        const json_t* filter = json_object_get(options, "filter_policy");
        if (filter != nullptr && !json_is_null(filter))
            if (auto problem = notifiers::validateFilterPolicy(filter)) return problem;
    }

    const json_t* ttl = json_object_get(document, "ttl");
    if (ttl != nullptr && !json_is_null(ttl)) {
        // Zaqar checks only truthy TTLs. Beyond Zaqar: falsy ones are checked too (0.0, "",
        // [], {} -> the type text; 0 and false, Python ints, -> the minimum), where Zaqar
        // stores a subscription that expires at once or fails in storage.
        if (!py::isIntLike(ttl)) return "TTL must be an integer.";
        // true is the Python int 1: below the minimum, as in Zaqar.
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
