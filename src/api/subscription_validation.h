// Zaqar's subscription rules (validation.py subscription_posting/_patching/_confirming/
// _listing, rest-v2.md §7): each check answers the "Invalid API request" description, or
// nullopt when the input is fine.
#pragma once

#include <jansson.h>

#include <cstdint>
#include <optional>
#include <string>

#include "src/api/validation.h"

namespace zaqard::api {

inline constexpr int64_t kMinSubscriptionTtl = 60;

// A subscription document (POST body, or PATCH body with `requireSubscriber` false),
// already known to be an object. `nowSeconds` bounds the TTL (now + ttl < year 10000).
Description validateSubscription(const json_t* document, bool requireSubscriber,
                                 const Limits& limits, double nowSeconds);

// The URI scheme as Python's urlparse reads it (lower-cased; "" when there is none).
std::string subscriberScheme(const std::string& subscriber);

// "Limit must be at least 1 and may not be greater than <max>."
Description subscriptionListLimit(int64_t limit, const Limits& limits);

// The TTL a document asks for: its integer `ttl` when truthy, else `fallback`.
int64_t subscriptionTtl(const json_t* document, int64_t fallback);

// The options object of a document; an empty object for absent or falsy options.
Json subscriptionOptions(const json_t* document);

}  // namespace zaqard::api
