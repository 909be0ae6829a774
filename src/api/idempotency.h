// Idempotent publish (beyond Zaqar; docs/api.md "Idempotent publish"): the keys a post may
// carry, as the REST header / WebSocket header field `Idempotency-Key` (the whole post) or a
// message's `idempotency_key` (that message). Storage (post.lua) does the deduplication.
#pragma once

#include <jansson.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "src/api/request.h"
#include "src/api/validation.h"

namespace zaqard::api {

inline constexpr const char* kIdempotencyHeader = "Idempotency-Key";
inline constexpr const char* kIdempotencyField = "idempotency_key";
// SQS's MessageDeduplicationId: at most 128 characters.
inline constexpr size_t kMaxIdempotencyKey = 128;

// Whether a key is 1 to 128 printable ASCII characters without spaces (0x21-0x7E).
bool isIdempotencyKey(std::string_view key);

// The post's key from its headers: "" when absent; `problem` set when present and invalid.
std::string requestIdempotencyKey(const Headers& headers, Description& problem);

// A message object's key: "" when absent or null; `problem` set when invalid.
std::string messageIdempotencyKey(const json_t* message, Description& problem);

}  // namespace zaqard::api
