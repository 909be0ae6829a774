// Request-body decoding with Zaqar's texts (rest-v2.md §1.5, wsgi/utils.py deserialize):
// only an object or array is a document; typed fields follow utils.get_checked_field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "src/api/errors.h"
#include "src/api/request.h"
#include "src/common/json.h"

namespace zaqard::api {

// Parses the body as wsgi_utils.deserialize does; `out` is the object or array.
// No body at all -> "Request body can not be empty"; anything unparsable (including an
// empty or whitespace-only body and top-level scalars) -> "Request body could not be parsed."
Rejection deserializeBody(const Request& request, Json& out);

// The rejection deserializeBody gives for a parse error (none for JsonParseError::None).
Rejection parseRejection(JsonParseError error);

// get_checked_field(doc, name, int, default): the value when present (Python ints include
// booleans), `fallback` when absent, "The value of the "<name>" field must be a int." else.
Rejection checkedIntField(const json_t* document, const char* name, int64_t fallback, int64_t& out);

// The size Zaqar compares with max_messages_post_size and max_queue_metadata: for REST the
// body's length; for a WebSocket frame len(str(body[member])) (Zaqar's endpoints measure
// the decoded Python value, api/v2/endpoints.py), an absent member counting as {}.
size_t measuredSize(const Request& request, const char* member);

}  // namespace zaqard::api
