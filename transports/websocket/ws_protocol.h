// Zaqar's WebSocket protocol (websocket-v2.md): a decoded frame
// {"action", "headers", "body"} becomes an api::Request with Dialect::WebSocket, and the
// api::Response goes back wrapped in Zaqar's envelope
// {"request": <echo>, "body": ..., "headers": {"status": N}}.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "src/api/request.h"
#include "src/common/json.h"

namespace zaqard::websocket {

// The request echo every response carries: action (or null), body ({} when absent),
// headers ({} when absent) and "api": "v2".
Json requestEcho(const Json& frame);

// The same echo from the text of a JSON frame, its members spliced in as the client wrote
// them (not dumped again); nullopt when frame_text.h cannot read that text.
std::optional<std::string> requestEchoText(std::string_view frameText);

// A response frame: envelope around `body` with `status`.
Json envelope(const Json& echo, int status, Json body);
// The same as JSON text, from the echo's and the body's text.
std::string envelopeText(std::string_view echo, int status, std::string_view body);

// An error frame of the protocol layer itself ({"error": text}).
Json protocolError(const Json& echo, int status, const std::string& text);

struct Translation {
    std::optional<api::Request> request;  // set when the frame maps onto an api action
    Json immediateReply;                  // otherwise: the complete response frame
};

// Validates the frame against the action's schema and builds the api request. With the
// frame's text (`frameText`, not empty), the api body is spliced from it, not dumped.
Translation translateFrame(const Json& frame, std::string_view frameText = {});

}  // namespace zaqard::websocket
