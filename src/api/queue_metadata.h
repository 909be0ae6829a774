// Reserved queue metadata (rest-v2.md §4.5): validation on PUT/PATCH and the defaults
// GET shows. Zaqar's texts and order; a value Zaqar refuses gets Zaqar's own text (Python
// semantics: booleans are ints), a value Zaqar would store with the wrong type (or crash
// on) is refused with the key's type text, as the spec recommends.
#pragma once

#include <jansson.h>

#include <string_view>

#include "src/api/validation.h"
#include "src/common/json.h"

namespace zaqard::api {

// The longest `_idempotency_window` (seconds) a queue may ask for: one day.
inline constexpr int64_t kMaxIdempotencyWindow = 86400;

// Zaqar's queue_metadata_putting: the description of the first problem, or nullopt.
Description validateQueueMetadata(const json_t* metadata, const Limits& limits);

// _validate_retry_policy for a queue's `_retry_policy` or a subscription's options.
Description validateRetryPolicy(const json_t* policy);

// A copy of `stored` (an object, or null for none) where the seven defaulted reserved keys
// that are absent or falsy carry their defaults, as GET /v2/queues/{q} shows them. A topic
// (`topic`) shows only _max_messages_post_size, _default_message_ttl and
// _default_message_delay (rest-v2.md §8).
Json withReservedDefaults(const json_t* stored, const Limits& limits, bool topic = false);

// One of the keys GET fills in (seven, or a topic's three): PATCH tolerates
// replace/remove of them when unset.
bool isDefaultedReservedKey(std::string_view key, bool topic = false);

}  // namespace zaqard::api
