// Python semantics that leak into Zaqar's wire texts and checks: int() parsing of query
// values, truthiness of JSON values, and repr() of strings, lists and sets inside error
// descriptions. Kept in one place so the texts match the reference byte for byte.
#pragma once

#include <jansson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zaqard::api::py {

// Python's int(text): surrounding whitespace, an optional sign, digits with single
// underscores between them. Values beyond 64 bits saturate (callers only range-check them).
std::optional<int64_t> parseInt(std::string_view text);

// Python's bool(value) for a decoded JSON value (null, false, 0, 0.0, "", [], {} are falsy).
bool truthy(const json_t* value);

// isinstance(value, int) for a decoded JSON value: integers and booleans.
bool isIntLike(const json_t* value);

// repr(str): single quotes unless the text holds a single quote and no double quote.
std::string repr(std::string_view text);

// repr(list_of_str): ['a', 'b']
std::string reprList(const std::vector<std::string>& items);

// repr(set_of_str) with a stable (sorted) order: {'a', 'b'}
std::string reprSet(std::vector<std::string> items);

// len(str(value)) for the Python value json.loads() would make of `value`: what Zaqar's
// WebSocket endpoints measure a request by (message_post's messages, queue_create's
// metadata) before they compare it with max_messages_post_size / max_queue_metadata.
// Exact for ASCII and Latin-1 text; beyond U+00FF, code points Python's repr() escapes
// are recognised for the common non-printable ranges (format, separator and private-use
// characters), which is as close as we get without Python's Unicode database.
size_t strLength(const json_t* value);

}  // namespace zaqard::api::py
