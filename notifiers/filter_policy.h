// Subscription filter policies (beyond Zaqar; docs/api.md "Filter policies"): the
// subscription option `filter_policy`, an SNS-style document matched against the top-level
// keys of a message body. Pure functions over jansson values: the api layer validates a
// policy when a subscription is created or updated, the notification engine matches each
// message against it before delivery (a message that does not match is not delivered to
// that subscriber, and is counted).
//
// A policy is an object of at most kMaxFilterKeys keys, each mapped to a non-empty array of
// conditions; a message matches when every key matches (AND) and a key matches when any of
// its conditions does (OR). A condition is, after Amazon SNS's filter policies:
//   "red", 3, true, null                  exact value (numbers compare numerically)
//   {"prefix": "ab"}                      a string value starting with "ab"
//   {"numeric": [">", 0, "<=", 100]}      a number in range ("=", "<", "<=", ">", ">=";
//                                         one comparison, or a lower then an upper bound)
//   {"exists": true} / {"exists": false}  the key is present / absent
//   {"anything-but": ["a", "b"]}          present, and none of these values (also a single
//   {"anything-but": {"prefix": "x"}}     value, or a prefix it must not start with)
// A value in the body that is an array matches when any of its elements matches. A body
// that is not a JSON object has no keys: only a policy of `exists: false` keys matches it.
#pragma once

#include <jansson.h>

#include <cstddef>
#include <optional>
#include <string>

namespace zaqard::notifiers {

// SNS's limits: keys per policy, and the product of the condition counts of all keys.
inline constexpr size_t kMaxFilterKeys = 5;
inline constexpr size_t kMaxFilterCombinations = 150;
// SNS accepts numbers in [-1e9, 1e9] in numeric conditions.
inline constexpr double kMaxFilterNumber = 1e9;

// The reason a policy is refused ("filter_policy: ..."), or nullopt when it is valid.
std::optional<std::string> validateFilterPolicy(const json_t* policy);

// Whether `body` (the message body as posted) matches a policy validated above. A
// condition it does not understand never matches (defensive: stored policies are valid).
bool matchesFilterPolicy(const json_t* policy, const json_t* body);

}  // namespace zaqard::notifiers
