// What the runner needs from one client connection, whatever its transport: HTTP/1.1
// keep-alive (http_connection.h) or a Zaqar websocket (ws_connection.h). Requests are
// answered in order; a broken connection fails its in-flight requests (status 0) and
// reconnects on its own.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "loadgen/request.h"

namespace zqbench {

class Connection {
  public:
    class Listener {
      public:
        virtual ~Listener() = default;
        virtual void onConnected(Connection& connection) = 0;
        virtual void onResponse(Connection& connection, Request&& request, Response&& response) = 0;
        // The connection cannot carry a request at all (no websocket action for it): the
        // run is wrong, not the server, so the runner stops it with this reason.
        virtual void onFatal(Connection& connection, const std::string& reason) = 0;
    };

    virtual ~Connection() = default;

    virtual void connect() = 0;
    // Closes the connection and forgets in-flight requests without reporting them.
    virtual void close() = 0;

    virtual bool connected() const = 0;
    virtual bool canSend() const = 0;
    virtual size_t inflight() const = 0;
    virtual const std::deque<Request>& inflightRequests() const = 0;
    virtual uint64_t reconnects() const = 0;
    virtual uint64_t failures() const = 0;

    // Writes the request; its sentNs is set here. Requires canSend().
    virtual void send(Request&& request) = 0;

    int id = 0;  // owner's index, for the listener
};

}  // namespace zqbench
