// WebSocket frame payloads: text frames carry JSON, binary frames carry MessagePack with
// the same structure (Zaqar's protocol). Both decode to and encode from zaqard::Json.
#pragma once

#include <string>
#include <string_view>

#include "src/common/json.h"

namespace zaqard::websocket {

enum class FrameKind { Text, Binary };

struct DecodedFrame {
    FrameKind kind = FrameKind::Text;
    Json value;         // empty on failure
    std::string error;  // Zaqar's "Can't decode ..." text on failure
};

DecodedFrame decodeFrame(FrameKind kind, std::string_view payload);
// The frame that was not decoded because it exceeds `limit` bytes ([zaqard] max_body_size;
// Zaqar itself has no limit): the same "Can't decode <kind> request. ..." error text.
DecodedFrame frameTooLarge(FrameKind kind, size_t limit);
std::string encodeFrame(FrameKind kind, const Json& value);

// MessagePack <-> JSON, exposed for tests.
Json msgpackToJson(std::string_view payload, std::string& error);
std::string jsonToMsgpack(const json_t* value);

}  // namespace zaqard::websocket
