// The WebSocket transport of one shard: frames in, api actions, enveloped replies out.
#pragma once

#include <memory>
#include <string>

#include "src/api/api.h"
#include "src/config/config.h"
#include "src/event/dispatcher.h"
#include "transports/websocket/ws_server.h"

namespace zaqard::websocket {

class WebSocketTransport {
  public:
    WebSocketTransport(event::Dispatcher& dispatcher, const config::Config& config, api::Api& api);

    bool listen(std::string& error) { return server_.listen(error); }
    void stopAccepting() { server_.stopAccepting(); }
    size_t inFlight() const { return server_.inFlight(); }
    size_t connections() const { return server_.connections(); }
    WebSocketServer& server() { return server_; }

  private:
    void onFrame(Connection& connection, DecodedFrame frame, Reply reply);

    api::Api& api_;
    WebSocketServer server_;
};

}  // namespace zaqard::websocket
