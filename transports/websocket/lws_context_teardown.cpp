// See lws_context_teardown.h.
#include "transports/websocket/lws_context_teardown.h"

#include <libwebsockets.h>

#include "transports/websocket/uv_loop_bridge.h"

namespace zaqard::websocket {

void destroyOnForeignLoop(lws_context* context, UvLoopBridge& bridge) {
    if (context) {
        // With a foreign loop lws 4.1 frees the context in two steps: the first call
        // closes its uv handles, which needs the loop to run; the second frees the rest
        // (checked under LeakSanitizer).
        lws_context_destroy(context);
        bridge.drain();
        lws_context_destroy(context);
    }
    bridge.drain();
}

}  // namespace zaqard::websocket
