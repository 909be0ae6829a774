// rediss://: TLS between zaqard and Redis. Debian 12's hiredis (0.14) has no TLS, so a
// connection to a TLS endpoint goes through a relay on the session's own loop: hiredis
// connects to a private unix socket (in a 0700 directory of this process), the relay
// accepts that one connection and pipes it both ways into a TLS connection to Redis made
// with libevent's bufferevent_openssl (OpenSSL does all of TLS; the relay only moves
// bytes). The relay belongs to the hiredis session it serves and dies with it.
#pragma once

#include <memory>
#include <string>

#include "src/config/config.h"
#include "src/event/dispatcher.h"

struct redisAsyncContext;
typedef struct ssl_ctx_st SSL_CTX;

namespace zaqard::storage::redis {

struct Endpoint;

// The client side of rediss://: one SSL_CTX per URI (CA, client certificate, peer
// verification), shared by every connection to its servers, from every shard.
class RedisTlsContext {
  public:
    // Null + `error` (naming the URI's query option) when a file cannot be used.
    static std::shared_ptr<const RedisTlsContext> create(const config::RedisUri& uri,
                                                         std::string& error);
    ~RedisTlsContext();
    RedisTlsContext(const RedisTlsContext&) = delete;
    RedisTlsContext& operator=(const RedisTlsContext&) = delete;

    SSL_CTX* context() const { return context_; }
    // The name sent as SNI and checked in the certificate for a server at `host`.
    std::string serverName(const std::string& host) const;
    bool checkHostname() const { return checkHostname_; }

  private:
    RedisTlsContext() = default;
    SSL_CTX* context_ = nullptr;
    std::string serverName_;  // ssl_server_hostname; empty: the host
    bool checkHostname_ = true;
};

class TlsRelay;

// Opens the hiredis connection to `endpoint`: directly, or through a new TlsRelay (kept in
// `relay`) when the endpoint is a TLS one. Null + `error` when hiredis refused at once.
redisAsyncContext* connectRedis(event::Dispatcher& dispatcher, const Endpoint& endpoint,
                                std::unique_ptr<TlsRelay>& relay, std::string& error);

class TlsRelay {
  public:
    TlsRelay(event::Dispatcher& dispatcher, std::shared_ptr<const RedisTlsContext> tls,
             std::string host, int port);
    ~TlsRelay();
    TlsRelay(const TlsRelay&) = delete;
    TlsRelay& operator=(const TlsRelay&) = delete;

    // Listens on a fresh unix socket; its path for hiredis. False + `error` on failure.
    bool listen(std::string& error);
    const std::string& path() const { return path_; }

  private:
    class Pipe;
    void onAccept(int fd);

    event::Dispatcher& dispatcher_;
    std::shared_ptr<const RedisTlsContext> tls_;
    std::string host_;
    int port_;
    std::string path_;
    int listener_ = -1;
    event::FileEventPtr acceptEvent_;
    std::unique_ptr<Pipe> pipe_;
};

}  // namespace zaqard::storage::redis
