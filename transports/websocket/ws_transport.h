// The WebSocket transport of one shard: frames in, api actions, enveloped replies out,
// and the push path the notification engine uses to reach a connection on any shard of
// any process (push_channel.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/api/api.h"
#include "src/auth/token_validator.h"
#include "src/config/config.h"
#include "src/event/dispatcher.h"
#include "transports/websocket/push_channel.h"
#include "transports/websocket/ws_auth.h"
#include "transports/websocket/ws_server.h"

namespace zaqard::websocket {

class WebSocketTransport {
  public:
    WebSocketTransport(event::Dispatcher& dispatcher, const config::Config& config, api::Api& api);
    ~WebSocketTransport();

    // auth_strategy = keystone: frames go through WebSocketAuth (ws_auth.h) with this
    // validator, which must outlive the transport. Without it (noauth) nothing is checked.
    void setAuthenticator(auth::TokenValidator* validator);

    // Binds the listener and subscribes to this shard's push channel.
    bool listen(std::string& error);
    void stopAccepting() { server_.stopAccepting(); }
    size_t inFlight() const { return server_.inFlight(); }
    size_t connections() const { return server_.connections(); }
    WebSocketServer& server() { return server_; }

    // Sends `frame` (a bare notification object, not a response envelope) to the
    // connection `connectionId`, wherever it is: directly when it lives on this shard,
    // else through its listener's Redis channel. `done(true)` when it was handed to the
    // connection (local) or to a listening process (remote). Loop thread only.
    void push(const std::string& connectionId, const Json& frame,
              std::function<void(bool)> done = nullptr);

    const std::string& listenerId() const { return pushChannel_.listenerId(); }
    bool pushChannelReady() const { return pushChannel_.subscribed(); }

  private:
    // A subscription whose subscriber is the connection itself: removed when the
    // connection closes (websocket-v2.md §5).
    struct OwnedSubscription {
        storage::QueueRef queue;
        std::string id;
    };

    void onFrame(Connection& connection, DecodedFrame frame, Reply reply);
    void onSelfSubscribed(const std::weak_ptr<Connection>& connection, OwnedSubscription owned);
    void onClose(const std::string& connectionId);

    event::Dispatcher& dispatcher_;
    api::Api& api_;
    WebSocketServer server_;
    PushChannel pushChannel_;
    std::unordered_map<std::string, std::vector<OwnedSubscription>> owned_;
    // Per connection, shared by its requests: abandoned when it closes (long polls end).
    std::unordered_map<std::string, std::shared_ptr<api::Abandonment>> abandonments_;
    std::unique_ptr<WebSocketAuth> auth_;
};

}  // namespace zaqard::websocket
