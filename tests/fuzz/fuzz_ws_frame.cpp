// WebSocket frames: byte 0 says text (JSON) or binary (MessagePack), the rest is the frame
// payload. The payload is decoded (frame_codec), translated into an api request against
// the frame schema (ws_protocol), handled by Api::handle on a never-started RedisDriver
// (api_harness.h), and the reply envelope encoded back in the frame's kind, as
// transports/websocket/connection.cpp does. A decoded MessagePack value must survive
// encode -> decode unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "tests/fuzz/api_harness.h"
#include "transports/websocket/frame_codec.h"
#include "transports/websocket/ws_protocol.h"

using namespace zaqard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const auto kind = (data[0] & 1) ? websocket::FrameKind::Binary : websocket::FrameKind::Text;
    std::string_view payload(reinterpret_cast<const char*>(data + 1), size - 1);

    websocket::DecodedFrame frame = websocket::decodeFrame(kind, payload);
    if (!frame.value) {
        if (frame.error.empty()) std::abort();  // every refusal says why
        return 0;
    }
    std::string encoded = websocket::encodeFrame(kind, frame.value);
    websocket::DecodedFrame again = websocket::decodeFrame(kind, encoded);
    if (!again.value || !json_equal(frame.value.get(), again.value.get())) std::abort();

    websocket::Translation translation = websocket::translateFrame(frame.value);
    Json reply;
    if (translation.request) {
        api::Response response = fuzz::apiHarness().run(std::move(*translation.request));
        if (response.status == 500) std::abort();
        reply = websocket::envelope(websocket::requestEcho(frame.value), response.status,
                                    std::move(response.body));
    } else {
        reply = std::move(translation.immediateReply);
    }
    (void)websocket::encodeFrame(kind, reply);
    return 0;
}
