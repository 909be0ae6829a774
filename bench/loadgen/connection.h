// One client connection, whatever its transport: HTTP/1.1 keep-alive (http_connection.h)
// or a Zaqar websocket (ws_connection.h). Requests are answered in order; a broken
// connection fails its in-flight requests (status 0) and reconnects on its own. This base
// holds what both transports share (in-flight queue, pipeline limit, reconnect timer,
// counters) so the runner's per-request checks are plain, non-virtual calls.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "loadgen/libevent_handles.h"
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
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    virtual void connect() = 0;
    // Closes the connection and forgets in-flight requests without reporting them.
    virtual void close() = 0;

    bool connected() const { return connected_; }
    bool canSend() const { return connected_ && inflight_.size() < pipeline_; }
    size_t inflight() const { return inflight_.size(); }
    const std::deque<Request>& inflightRequests() const { return inflight_; }
    uint64_t reconnects() const { return reconnects_; }
    uint64_t failures() const { return failures_; }

    // Writes the request; its sentNs is set here. Requires canSend().
    virtual void send(Request&& request) = 0;

    int id = 0;  // owner's index, for the listener

  protected:
    // `pipeline` requests may be in flight at once (0 counts as 1).
    Connection(event_base* base, size_t pipeline, Listener& listener);

    // The shared part of close(): no more reconnects, in-flight requests forgotten.
    void stopAndForget();
    // After the transport is torn down: fails every in-flight request with status 0 (lets
    // stateful flows start over, e.g. claim again), then arms the reconnect timer unless
    // a listener closed the connection meanwhile.
    void failInflightAndScheduleReconnect();
    bool reconnectPending() const;

    Listener& listener_;
    const size_t pipeline_;
    std::deque<Request> inflight_;
    bool connected_ = false;
    bool closing_ = false;
    uint64_t failures_ = 0;

  private:
    // The timer's callback: connect() again, unless closed meanwhile.
    static void onReconnect(evutil_socket_t, short, void* self);

    EventPtr reconnectTimer_;
    uint64_t reconnects_ = 0;
};

}  // namespace zqbench
