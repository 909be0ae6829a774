// Destroying a libwebsockets context that runs on a foreign libuv loop (UvLoopBridge).
// Shared by the server (ws_server.cpp) and the load generator's client context.
#pragma once

struct lws_context;

namespace zaqard::websocket {

class UvLoopBridge;

// Frees `context` completely and leaves the bridge's loop with no open handles.
void destroyOnForeignLoop(lws_context* context, UvLoopBridge& bridge);

}  // namespace zaqard::websocket
