// One persistent Zaqar websocket client connection (libwebsockets' client API), with
// optional pipelining. Requests are rendered as action frames (ws_frame.h); replies come
// back in request order (docs/api.md "WebSocket"), so they are matched by order as on
// HTTP. A broken connection fails its in-flight requests (status 0) and reconnects after a
// short pause. All connections of a run share one WsClientContext: one lws context on a
// libuv loop that the server's UvLoopBridge runs inside the runner's libevent loop.
#pragma once

#include <deque>
#include <string>

#include "loadgen/connection.h"
#include "loadgen/libevent_handles.h"
#include "transports/websocket/uv_loop_bridge.h"

struct lws;
struct lws_context;

namespace zqbench {

struct WsEndpoint {
    std::string host;  // as given: lws resolves it
    int port = 80;
    std::string path = "/";
    bool tls = false;  // wss://
};

// ws://host:port[/path]; false with a reason otherwise (no wss: loopback benchmark).
bool parseWsUrl(const std::string& url, WsEndpoint* out, std::string* error);

class WsClientContext {
  public:
    explicit WsClientContext(zaqard::event::Dispatcher& dispatcher);
    ~WsClientContext();
    WsClientContext(const WsClientContext&) = delete;
    WsClientContext& operator=(const WsClientContext&) = delete;

    // `tls`: the context may open wss:// connections.
    bool start(bool tls, std::string* error);
    lws_context* context() const { return context_; }
    event_base* base() const { return base_; }
    // After calling into lws from a libevent callback (see uv_loop_bridge.h).
    void kick() { bridge_.kick(); }

  private:
    event_base* base_;
    zaqard::websocket::UvLoopBridge bridge_;
    lws_context* context_ = nullptr;
};

class WsConnection final : public Connection {
  public:
    WsConnection(WsClientContext& context, const WsEndpoint& endpoint, std::string clientId,
                 std::string project, size_t pipeline, Listener& listener);
    ~WsConnection() override;
    WsConnection(const WsConnection&) = delete;
    WsConnection& operator=(const WsConnection&) = delete;

    void connect() override;
    void close() override;
    void send(Request&& request) override;

    // From the lws protocol callback; the return value is the callback's.
    int onEvent(lws* wsi, int reason, void* in, size_t len);

  private:
    bool receive(const void* in, size_t len, bool final);
    int writePending();
    bool writeFrame(std::string& frame);  // one lws_write of a frame after LWS_PRE bytes
    void broken();
    void forgetWsi();

    WsClientContext& context_;
    const WsEndpoint& endpoint_;
    std::string clientId_;
    std::string project_;
    lws* wsi_ = nullptr;
    std::deque<std::string> out_;  // frames, each after LWS_PRE bytes of room for lws
    std::string rx_;               // a reply frame being reassembled
    std::string scratch_;
};

}  // namespace zqbench
