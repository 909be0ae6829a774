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
    std::string text;   // a text frame's JSON as received (frame_text.h reads it)
};

// A reply: a value, encoded in the frame's kind; or JSON text already rendered, sent as it
// is in a text frame (parsed and packed for a binary one).
struct Outgoing {
    Outgoing(Json v) : value(std::move(v)) {}  // implicit: most replies are values
    static Outgoing text(std::string json) {
        Outgoing out{Json()};
        out.json = std::move(json);
        return out;
    }
    Json value;
    std::string json;
};

DecodedFrame decodeFrame(FrameKind kind, std::string_view payload);
// The frame that was not decoded because it exceeds `limit` bytes ([zaqard] max_body_size;
// Zaqar itself has no limit): the same "Can't decode <kind> request. ..." error text.
DecodedFrame frameTooLarge(FrameKind kind, size_t limit);
std::string encodeFrame(FrameKind kind, const Json& value);
std::string encodeFrame(FrameKind kind, Outgoing out);

// MessagePack <-> JSON, exposed for tests.
Json msgpackToJson(std::string_view payload, std::string& error);
std::string jsonToMsgpack(const json_t* value);

}  // namespace zaqard::websocket
