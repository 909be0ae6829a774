// Where a Redis server listens and how to log in: what a Locator answers and what every
// connection of the client layer is opened with.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "src/common/result.h"

namespace zaqard::storage::redis {

class RedisTlsContext;

struct Endpoint {
    Endpoint() = default;
    Endpoint(std::string host_, int port_, std::string socketPath_ = {},
             std::shared_ptr<const RedisTlsContext> tls_ = nullptr)
        : host(std::move(host_)),
          port(port_),
          socketPath(std::move(socketPath_)),
          tls(std::move(tls_)) {}

    std::string host;  // TCP host; empty for a unix socket
    int port = 0;
    std::string socketPath;
    // rediss://: the TLS client context (tls_relay.h); null for plain TCP. Servers found
    // from this one (a sentinel's master, cluster nodes, redirects) inherit it.
    std::shared_ptr<const RedisTlsContext> tls;

    // "host:port", "[v6]:port" or the socket path: for logs (never a password).
    std::string describe() const {
        if (!socketPath.empty()) return socketPath;
        bool v6 = host.find(':') != std::string::npos;
        return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
    }
    bool operator==(const Endpoint& other) const {
        return host == other.host && port == other.port && socketPath == other.socketPath;
    }
};

// AUTH [username] password; nothing is sent when the password is empty.
struct Credentials {
    std::string username;
    std::string password;
};

// Finds the server to connect to; asked before every connection attempt. Answers once,
// on the dispatcher thread (possibly at once, inside the call).
class Locator {
  public:
    virtual ~Locator() = default;
    virtual void locate(std::function<void(Result<Endpoint>)> done) = 0;
    virtual std::string describe() const = 0;
};

// A server at a fixed address (the single-node client).
class FixedLocator : public Locator {
  public:
    explicit FixedLocator(Endpoint endpoint) : endpoint_(std::move(endpoint)) {}
    void locate(std::function<void(Result<Endpoint>)> done) override { done(endpoint_); }
    std::string describe() const override { return endpoint_.describe(); }

  private:
    Endpoint endpoint_;
};

}  // namespace zaqard::storage::redis
