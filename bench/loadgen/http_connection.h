// One keep-alive HTTP/1.1 client connection on a libevent bufferevent, with optional
// pipelining (up to `pipeline` requests written before their responses arrive). Responses
// are matched to requests in order. A broken connection fails its in-flight requests
// (status 0) and reconnects after a short pause.
#pragma once

#include <deque>
#include <string>

#include "loadgen/connection.h"
#include "loadgen/endpoint.h"
#include "loadgen/http_response_parser.h"
#include "loadgen/libevent_handles.h"
#include "loadgen/request.h"

typedef struct ssl_session_st SSL_SESSION;

namespace zqbench {

class HttpConnection final : public Connection {
  public:
    // `headers` are sent with every request ("Name: value\r\n" lines).
    HttpConnection(event_base* base, const Endpoint& endpoint, std::string headers, size_t pipeline,
                   Listener& listener);
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    void connect() override;
    // Closes the socket and forgets in-flight requests without reporting them.
    void close() override;

    // Writes the request; its sentNs is set here. Requires canSend().
    void send(Request&& request) override;

  private:
    static void onRead(bufferevent* bev, void* self);
    static void onEvent(bufferevent* bev, short what, void* self);
    void readResponses();
    void broken();

    event_base* base_;
    const Endpoint& endpoint_;
    std::string headers_;
    BufferEventPtr bev_;
    // A broken bufferevent is parked here and freed from the reconnect timer, never
    // from inside its own callback.
    BufferEventPtr dead_;
    HttpResponseParser parser_;
    std::string scratch_;
    // https: the last session, offered again when this connection reconnects.
    SSL_SESSION* session_ = nullptr;
};

}  // namespace zqbench
