// The body of a message post, read without building a tree of the message bodies
// (issue #12): each message's "body" is kept as the bytes the client sent, validated but
// not re-serialised, and stored as such (storage::NewMessage::body is JSON text).
//
// Two readers fill the same PostDocument: readPostBody() (simdjson On-Demand, the hot
// path) and readPostBodyWithJansson() (a jansson tree, the body re-dumped). Every document
// the first refuses is handed to the second, so an error is always the one jansson gives
// (Zaqar's texts, body.h); a document the first accepts, jansson accepts too, with the
// same fields (tests/unit/test_post_body.cpp compares the two on good and bad input).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/json.h"

namespace zaqard::api {

// One element of "messages".
struct PostItem {
    bool isObject = false;
    // The members the post reads besides "body" (ttl, delay, idempotency_key, group) as
    // jansson values, so they are checked by the same code as every other document; null
    // when the message has none of them.
    Json fields;
    std::optional<std::string> body;  // JSON text, absent when the message has no "body"
};

struct PostDocument {
    JsonParseError error = JsonParseError::None;  // anything but None: nothing else is set
    bool hasMessages = false;                     // an object with a "messages" member
    bool messagesIsArray = false;
    std::vector<PostItem> items;  // when messagesIsArray
};

// The members of a message copied into PostItem::fields.
bool isPostItemField(std::string_view key);

// simdjson On-Demand; bodies are the trimmed byte ranges of the input.
PostDocument readPostBody(std::string_view text);

// jansson (json_loadb, then json_dumpb of each body): the reference and the fallback.
PostDocument readPostBodyWithJansson(std::string_view text);

}  // namespace zaqard::api
