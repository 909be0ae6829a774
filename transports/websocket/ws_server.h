// The WebSocket listener of one shard: a libwebsockets context on the shard's nested
// libuv loop (uv_loop_bridge.h), listening with SO_REUSEPORT beside the other shards.
// It owns framing, ordering and flow control; what a frame means is up to the
// FrameHandler (ws_protocol.h turns frames into api actions).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "src/common/json.h"
#include "src/event/dispatcher.h"
#include "src/tls/server_tls.h"
#include "transports/websocket/frame_codec.h"

namespace zaqard::websocket {

class Connection;

// Answers one decoded frame exactly once through `reply`; replies may come later and in
// any order: the server sends them in request order.
using Reply = std::function<void(Outgoing response)>;
using FrameHandler = std::function<void(Connection& connection, DecodedFrame frame, Reply reply)>;

struct WebSocketLimits {
    size_t maxFrameBytes = 1 << 20;    // larger incoming messages get an error reply
    size_t maxPipelined = 128;         // unanswered requests before reading pauses
    size_t maxOutputBytes = 16 << 20;  // queued output past which the peer is closed
    // Open connections of this listener (WS and WSS together) per shard, and per client
    // address per shard; 0: no limit. Past them a new connection is closed at accept.
    int maxConnections = 0;
    int maxConnectionsPerClient = 0;
    // lws' handshake buffer (request path and header values); 0: lws' default (4 KiB).
    unsigned maxHeaderBytes = 0;
};

class WebSocketServer {
  public:
    WebSocketServer(event::Dispatcher& dispatcher, std::string bind, int port,
                    WebSocketLimits limits, FrameHandler handler);
    ~WebSocketServer();

    // A second, WSS listener on `bind`:`port` with this TLS context (before listen()).
    void setTls(std::shared_ptr<tls::ServerTls> tls, int port);
    bool listen(std::string& error);
    // Graceful stop, step 1: close the listeners; open connections go on.
    void stopAccepting();
    // Requests received and not yet answered, over all connections.
    size_t inFlight() const;
    size_t connections() const;
    // Sends `value` to the connection with this id, between responses (notifications),
    // as a frame of the connection's notification kind. False when no such connection is
    // open on this shard.
    bool push(const std::string& connectionId, const Json& value);
    // Closes that connection with a close frame (`code`, `reason`) after the replies
    // already queued; false when no such connection is open on this shard.
    bool close(const std::string& connectionId, uint16_t code, const std::string& reason);
    // Connection ids are "<prefix>.<uuid>" (push_channel.h routes on the prefix).
    void setConnectionIdPrefix(std::string prefix);
    // Called with the id of each connection that closes.
    void setCloseHandler(std::function<void(const std::string& connectionId)> handler);
    // Decides each handshake from its Origin ("" when absent) and Host headers; a refused
    // one is answered 403 and closed. Unset: every handshake is accepted.
    using OriginCheck = std::function<bool(const std::string& origin, const std::string& host)>;
    void setOriginCheck(OriginCheck check);

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace zaqard::websocket
