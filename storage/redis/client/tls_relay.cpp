#include "storage/redis/client/tls_relay.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <hiredis/async.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

#include "src/common/log.h"
#include "storage/redis/client/endpoint.h"

namespace zaqard::storage::redis {

namespace {

// Bytes queued towards one side before the relay stops reading the other (back-pressure).
constexpr size_t kHighWater = 1 << 20;

std::string opensslErrors() {
    std::string text;
    while (unsigned long code = ERR_get_error()) {
        char line[256];
        ERR_error_string_n(code, line, sizeof line);
        text += (text.empty() ? "" : "; ") + std::string(line);
    }
    return text;
}

bool isIpLiteral(const std::string& host) {
    unsigned char buffer[sizeof(in6_addr)];
    return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
           inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

// The process's private directory of relay sockets (0700: only this user can connect to
// a relay), removed at exit; each socket file is unlinked once hiredis is connected.
class SocketDirectory {
  public:
    ~SocketDirectory() {
        if (!path_.empty()) ::rmdir(path_.c_str());
    }
    std::string next(std::string& error) {
        std::lock_guard lock(mutex_);
        if (path_.empty()) {
            const char* tmp = std::getenv("TMPDIR");
            std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/zaqard-rediss-XXXXXX";
            if (!::mkdtemp(pattern.data())) {
                error = "cannot create a private directory for the rediss:// relay in " + pattern;
                return {};
            }
            path_ = pattern;
        }
        return path_ + "/" + std::to_string(++counter_);
    }

  private:
    std::mutex mutex_;
    std::string path_;
    uint64_t counter_ = 0;
};

SocketDirectory& socketDirectory() {
    static SocketDirectory directory;
    return directory;
}

}  // namespace

// ---- RedisTlsContext ----

std::shared_ptr<const RedisTlsContext> RedisTlsContext::create(const config::RedisUri& uri,
                                                               std::string& error) {
    std::shared_ptr<RedisTlsContext> tls(new RedisTlsContext());
    tls->serverName_ = uri.tlsServerName;
    tls->checkHostname_ = uri.tlsCheckHostname && uri.tlsCertReqs != "none";
    SSL_CTX* context = SSL_CTX_new(TLS_client_method());
    if (!context) {
        error = "cannot create a TLS context: " + opensslErrors();
        return nullptr;
    }
    tls->context_ = context;
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    if (!uri.tlsCaFile.empty() || !uri.tlsCaPath.empty()) {
        const char* file = uri.tlsCaFile.empty() ? nullptr : uri.tlsCaFile.c_str();
        const char* path = uri.tlsCaPath.empty() ? nullptr : uri.tlsCaPath.c_str();
        if (SSL_CTX_load_verify_locations(context, file, path) != 1) {
            error = "ssl_ca_certs/ssl_ca_path: cannot load CA certificates from '" +
                    (file ? uri.tlsCaFile : uri.tlsCaPath) + "': " + opensslErrors();
            return nullptr;
        }
    } else {
        SSL_CTX_set_default_verify_paths(context);
    }
    if (!uri.tlsCertFile.empty()) {
        if (SSL_CTX_use_certificate_chain_file(context, uri.tlsCertFile.c_str()) != 1) {
            error = "ssl_certfile: cannot read a PEM certificate from '" + uri.tlsCertFile +
                    "': " + opensslErrors();
            return nullptr;
        }
        if (SSL_CTX_use_PrivateKey_file(context, uri.tlsKeyFile.c_str(), SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(context) != 1) {
            error = "ssl_keyfile: '" + uri.tlsKeyFile +
                    "' is not the PEM private key of ssl_certfile: " + opensslErrors();
            return nullptr;
        }
    }
    // required and optional: the server always presents a certificate, so both verify it.
    SSL_CTX_set_verify(context, uri.tlsCertReqs == "none" ? SSL_VERIFY_NONE : SSL_VERIFY_PEER,
                       nullptr);
    return tls;
}

RedisTlsContext::~RedisTlsContext() {
    if (context_) SSL_CTX_free(context_);
}

std::string RedisTlsContext::serverName(const std::string& host) const {
    return serverName_.empty() ? host : serverName_;
}

// ---- the pipe between hiredis and Redis ----

class TlsRelay::Pipe {
  public:
    Pipe(event_base* base, int innerFd, SSL* ssl, std::string describe)
        : describe_(std::move(describe)) {
        inner_ = bufferevent_socket_new(base, innerFd, BEV_OPT_CLOSE_ON_FREE);
        outer_ = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
                                                BEV_OPT_CLOSE_ON_FREE);
        if (!inner_ || !outer_) return;
        bufferevent_openssl_set_allow_dirty_shutdown(outer_, 1);
        for (bufferevent* side : {inner_, outer_}) {
            bufferevent_setcb(side, &Pipe::onRead, &Pipe::onWrite, &Pipe::onEvent, this);
            bufferevent_enable(side, EV_READ | EV_WRITE);
        }
    }
    ~Pipe() { close(); }

    bool connect(const std::string& host, int port) {
        if (!inner_ || !outer_) return false;
        // The host is a name or an address; a name resolves like hiredis resolves it.
        return bufferevent_socket_connect_hostname(outer_, nullptr, AF_UNSPEC, host.c_str(),
                                                   port) == 0;
    }

  private:
    bufferevent* other(bufferevent* side) const { return side == inner_ ? outer_ : inner_; }

    void close() {
        if (inner_) bufferevent_free(inner_);
        if (outer_) bufferevent_free(outer_);
        inner_ = outer_ = nullptr;
    }

    static void onRead(bufferevent* from, void* self) {
        auto& pipe = *static_cast<Pipe*>(self);
        bufferevent* to = pipe.other(from);
        if (!to) return;
        evbuffer* out = bufferevent_get_output(to);
        evbuffer_add_buffer(out, bufferevent_get_input(from));
        if (evbuffer_get_length(out) >= kHighWater) bufferevent_disable(from, EV_READ);
    }

    // The write callback runs when a side's output drained: read the other one again.
    static void onWrite(bufferevent* to, void* self) {
        auto& pipe = *static_cast<Pipe*>(self);
        if (bufferevent* from = pipe.other(to)) bufferevent_enable(from, EV_READ);
    }

    static void onEvent(bufferevent* side, short what, void* self) {
        auto& pipe = *static_cast<Pipe*>(self);
        if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))) return;
        if (side == pipe.outer_ && (what & BEV_EVENT_ERROR)) {
            std::string why;
            while (unsigned long code = bufferevent_get_openssl_error(side)) {
                char line[256];
                ERR_error_string_n(code, line, sizeof line);
                why += (why.empty() ? "" : "; ") + std::string(line);
            }
            int err = EVUTIL_SOCKET_ERROR();
            if (why.empty() && err) why = evutil_socket_error_to_string(err);
            log::warning("redis: TLS connection to " + pipe.describe_ +
                         " failed: " + (why.empty() ? "closed" : why));
        }
        // Either end closing ends both: hiredis then sees its connection close.
        pipe.close();
    }

    std::string describe_;
    bufferevent* inner_ = nullptr;  // hiredis' side, plain
    bufferevent* outer_ = nullptr;  // Redis' side, TLS
};

// ---- TlsRelay ----

TlsRelay::TlsRelay(event::Dispatcher& dispatcher, std::shared_ptr<const RedisTlsContext> tls,
                   std::string host, int port)
    : dispatcher_(dispatcher), tls_(std::move(tls)), host_(std::move(host)), port_(port) {}

TlsRelay::~TlsRelay() {
    acceptEvent_.reset();
    if (listener_ >= 0) {
        ::close(listener_);
        ::unlink(path_.c_str());
    }
}

bool TlsRelay::listen(std::string& error) {
    path_ = socketDirectory().next(error);
    if (path_.empty()) return false;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path_.size() >= sizeof address.sun_path) {
        error = "the rediss:// relay socket path is too long: " + path_;
        return false;
    }
    path_.copy(address.sun_path, path_.size());
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listener_ < 0 ||
        ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 1) != 0) {
        error = "cannot listen on the rediss:// relay socket " + path_;
        if (listener_ >= 0) ::close(listener_);
        listener_ = -1;
        return false;
    }
    acceptEvent_ = dispatcher_.createFileEvent(listener_, event::FileEvent::Read, [this](short) {
        int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        // One connection per relay: stop listening and remove the socket file.
        acceptEvent_->disable();
        ::close(listener_);
        listener_ = -1;
        ::unlink(path_.c_str());
        onAccept(fd);
    });
    return true;
}

void TlsRelay::onAccept(int fd) {
    SSL* ssl = SSL_new(tls_->context());
    if (!ssl) {
        ::close(fd);
        return;
    }
    std::string name = tls_->serverName(host_);
    if (!isIpLiteral(name)) SSL_set_tlsext_host_name(ssl, name.c_str());
    if (tls_->checkHostname()) {
        if (isIpLiteral(name))
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
        else
            SSL_set1_host(ssl, name.c_str());
    }
    bool v6 = host_.find(':') != std::string::npos;
    pipe_ = std::make_unique<Pipe>(dispatcher_.base(), fd, ssl,
                                   (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_));
    if (!pipe_->connect(host_, port_)) {
        log::warning("redis: cannot connect to " + host_ + ":" + std::to_string(port_) +
                     " for TLS");
        pipe_.reset();
    }
}

redisAsyncContext* connectRedis(event::Dispatcher& dispatcher, const Endpoint& endpoint,
                                std::unique_ptr<TlsRelay>& relay, std::string& error) {
    redisAsyncContext* ctx = nullptr;
    if (endpoint.tls) {
        relay = std::make_unique<TlsRelay>(dispatcher, endpoint.tls, endpoint.host, endpoint.port);
        if (!relay->listen(error)) return nullptr;
        ctx = redisAsyncConnectUnix(relay->path().c_str());
    } else {
        relay.reset();
        ctx = endpoint.socketPath.empty() ? redisAsyncConnect(endpoint.host.c_str(), endpoint.port)
                                          : redisAsyncConnectUnix(endpoint.socketPath.c_str());
    }
    if (ctx == nullptr || ctx->err) {
        error = ctx ? ctx->errstr : "out of memory";
        if (ctx) redisAsyncFree(ctx);
        return nullptr;
    }
    return ctx;
}

}  // namespace zaqard::storage::redis
