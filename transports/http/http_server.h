// The REST transport of one shard: an HTTP/1.1 server on the shard's event_base (libevent
// listeners and bufferevents, llhttp parsing: connection.h), listening with SO_REUSEPORT,
// that routes /v2 URLs to api actions (router.h) and writes the api::Response back with
// Zaqar's headers and error bodies.
#pragma once

#include <memory>
#include <string>

#include "src/api/api.h"
#include "src/auth/rest_gate.h"
#include "src/config/config.h"
#include "src/event/dispatcher.h"
#include "src/tls/server_tls.h"

namespace zaqard::http {

class HttpServer {
  public:
    HttpServer(event::Dispatcher& dispatcher, const config::Config& config, api::Api& api);
    ~HttpServer();

    // auth_strategy = keystone: every request passes `gate` before the api (it must
    // outlive the server). Null (noauth, the default): requests go straight to the api.
    void setAuthGate(auth::RestAuthGate* gate);

    // With [zaqard] ssl_port set: the context of the HTTPS listener (before listen()).
    void setTls(std::shared_ptr<tls::ServerTls> tls);

    // Binds [drivers:transport:wsgi] bind:port with SO_REUSEPORT, and bind:ssl_port for
    // HTTPS when TLS is set. False + `error` on failure.
    bool listen(std::string& error);
    // Graceful stop, step 1: close the listeners; in-flight requests go on.
    void stopAccepting();
    // Requests received and not yet answered.
    size_t inFlight() const;

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace zaqard::http
