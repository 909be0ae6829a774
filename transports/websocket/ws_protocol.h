// Zaqar's WebSocket protocol (websocket-v2.md): a decoded frame
// {"action", "headers", "body"} becomes an api::Request with Dialect::WebSocket, and the
// api::Response goes back wrapped in Zaqar's envelope
// {"request": <echo>, "body": ..., "headers": {"status": N}}.
#pragma once

#include <optional>
#include <string>

#include "src/api/request.h"
#include "src/common/json.h"

namespace zaqard::websocket {

// The request echo every response carries: action (or null), body ({} when absent),
// headers ({} when absent) and "api": "v2".
Json requestEcho(const Json& frame);

// A response frame: envelope around `body` with `status`.
Json envelope(const Json& echo, int status, Json body);

// An error frame of the protocol layer itself ({"error": text}).
Json protocolError(const Json& echo, int status, const std::string& text);

struct Translation {
    std::optional<api::Request> request;  // set when the frame maps onto an api action
    Json immediateReply;                  // otherwise: the complete response frame
};

// Validates the frame against the action's schema and builds the api request.
Translation translateFrame(const Json& frame);

}  // namespace zaqard::websocket
