#include "transports/websocket/ws_server.h"

#include <arpa/inet.h>
#include <libwebsockets.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <unordered_map>

#include "src/common/log.h"
#include "src/common/uuid.h"
#include "src/event/connection_admission.h"
#include "src/event/listen_socket.h"
#include "src/metrics/record.h"
#include "transports/websocket/connection.h"
#include "transports/websocket/lws_context_teardown.h"
#include "transports/websocket/upgrade_rules.h"
#include "transports/websocket/uv_loop_bridge.h"

namespace zaqard::websocket {

namespace {
constexpr size_t kRxBufferBytes = 1024;
// libwebsockets announces its vhost's SSL_CTX through the protocol callback without a
// connection to find the server by: the TLS settings being applied during lws_create_vhost.
struct TlsSetup {
    const tls::ServerTls* tls = nullptr;
    bool applied = false;
    std::string error;
};
thread_local TlsSetup* configuringTls = nullptr;

}  // namespace

class WebSocketServer::Impl {
  public:
    Impl(event::Dispatcher& dispatcher, std::string bind, int port, WebSocketLimits limits,
         FrameHandler handler)
        : dispatcher_(dispatcher),
          bind_(std::move(bind)),
          port_(port),
          limits_(limits),
          handler_(std::move(handler)),
          bridge_(dispatcher),
          admission_("websocket", limits.maxConnections, limits.maxConnectionsPerClient) {}

    ~Impl() {
        stopAccepting();
        for (auto& [wsi, connection] : connections_) connection->detach();
        connections_.clear();
        destroyOnForeignLoop(context_, bridge_);
        context_ = nullptr;
        if (unusedClientContext_) SSL_CTX_free(unusedClientContext_);
    }

    bool listen(std::string& error) {
        static const int logLevel = (lws_set_log_level(LLL_ERR, nullptr), 0);
        (void)logLevel;
        // lws allocates the receive buffer per connection: 1 KiB keeps idle peers cheap
        // (frames are reassembled in Connection anyway); lws chunks larger frames.
        protocols_[0] = {"zaqar", &Impl::callback, sizeof(void*), kRxBufferBytes, 0, this, 0};
        protocols_[1] = {nullptr, nullptr, 0, 0, 0, nullptr, 0};

        // We accept connections ourselves and hand them to lws: Debian's lws 4.1 does not
        // set SO_REUSEPORT on its own listener (checked: the second shard's bind fails),
        // and owning the socket lets a graceful stop close it before draining.
        listener_ = event::openListener(bind_, port_, true, error);
        if (!listener_) return false;

        void* loops[] = {bridge_.loop()};
        lws_context_creation_info info{};
        info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
        info.protocols = protocols_;
        info.gid = -1;
        info.uid = -1;
        info.user = this;
        info.foreign_loops = loops;
        info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_UV_NO_SIGSEGV_SIGFPE_SPIN;
        // [zaqard] max_header_size: the unsigned int field (max_http_header_data, an
        // unsigned short, must stay 0 for lws to read this one).
        info.max_http_header_data2 = limits_.maxHeaderBytes;
        if (tls_ && tlsPort_ >= 0) {
            info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
            // No vhost connects out: an empty client context of our own keeps lws from
            // building one per vhost with the system's CA store, which it does not free
            // (lws 4.1 with foreign loops; found by LeakSanitizer).
            unusedClientContext_ = SSL_CTX_new(TLS_client_method());
            info.provided_client_ssl_ctx = unusedClientContext_;
        }
        context_ = lws_create_context(&info);
        vhost_ = context_ ? lws_get_vhost_by_name(context_, "default") : nullptr;
        if (!vhost_) {
            error = "cannot start the WebSocket server (libwebsockets context)";
            return false;
        }
        if (tls_ && tlsPort_ >= 0 && !listenTls(error)) return false;
        acceptEvent_ =
            dispatcher_.createFileEvent(listener_.get(), event::FileEvent::Read,
                                        [this](short) { acceptPending(listener_.get(), vhost_); });
        bridge_.kick();
        return true;
    }

    void setTls(std::shared_ptr<tls::ServerTls> tls, int port) {
        tls_ = std::move(tls);
        tlsPort_ = port;
    }

    void stopAccepting() {
        acceptEvent_.reset();
        listener_ = UniqueFd();
        tlsAcceptEvent_.reset();
        tlsListener_ = UniqueFd();
    }

    size_t inFlight() const {
        size_t total = 0;
        for (const auto& [wsi, connection] : connections_) total += connection->pendingRequests();
        return total;
    }

    size_t connections() const { return connections_.size(); }

    void setConnectionIdPrefix(std::string prefix) { idPrefix_ = std::move(prefix); }
    void setCloseHandler(std::function<void(const std::string&)> handler) {
        closeHandler_ = std::move(handler);
    }
    void setOriginCheck(OriginCheck check) { originCheck_ = std::move(check); }

    bool push(const std::string& connectionId, const Json& value) {
        auto it = byId_.find(connectionId);
        if (it == byId_.end()) return false;
        auto connection = it->second.lock();
        if (!connection || !connection->open()) return false;
        FrameKind kind = connection->notificationKind();
        connection->pushNow(kind, encodeFrame(kind, value));
        if (connection->takeLoopPass()) bridge_.kick();
        return true;
    }

    bool close(const std::string& connectionId, uint16_t code, const std::string& reason) {
        auto it = byId_.find(connectionId);
        if (it == byId_.end()) return false;
        auto connection = it->second.lock();
        if (!connection || !connection->open()) return false;
        connection->close(code, reason);
        bridge_.kick();
        return true;
    }

  private:
    // The WSS listener: a second vhost of the same context, with libwebsockets' TLS. lws
    // builds the vhost's SSL_CTX itself from the files; zaqard's policy and the
    // reloadable certificate are applied to it from the protocol callback (configuringTls).
    bool listenTls(std::string& error) {
        tlsListener_ = event::openListener(bind_, tlsPort_, true, error);
        if (!tlsListener_) return false;
        lws_context_creation_info info{};
        info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
        info.protocols = protocols_;
        info.vhost_name = "zaqard-tls";
        info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
        info.ssl_cert_filepath = tls_->certFile().c_str();
        info.ssl_private_key_filepath = tls_->keyFile().c_str();
        if (!tls_->caFile().empty()) {
            info.ssl_ca_filepath = tls_->caFile().c_str();
            info.options |= LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT;
        }
        info.ssl_cipher_list = tls::kTls12Ciphers;
        info.ssl_options_set = SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1;
        info.provided_client_ssl_ctx = unusedClientContext_;
        TlsSetup setup;
        setup.tls = tls_.get();
        configuringTls = &setup;
        tlsVhost_ = lws_create_vhost(context_, &info);
        configuringTls = nullptr;
        if (!tlsVhost_ || !setup.applied) {
            error = "cannot start the WSS listener (libwebsockets TLS vhost" +
                    (setup.error.empty() ? std::string(")") : "): " + setup.error);
            return false;
        }
        tlsAcceptEvent_ = dispatcher_.createFileEvent(
            tlsListener_.get(), event::FileEvent::Read,
            [this](short) { acceptPending(tlsListener_.get(), tlsVhost_); });
        return true;
    }

    void acceptPending(int listener, lws_vhost* vhost) {
        // Bounded per wake-up so one busy listener cannot starve the shard.
        for (int i = 0; i < 64; ++i) {
            sockaddr_storage address{};
            socklen_t length = sizeof address;
            int fd = accept4(listener, reinterpret_cast<sockaddr*>(&address), &length,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) break;
            std::string peer = event::peerAddress(reinterpret_cast<const sockaddr*>(&address));
            if (auto refused = admission_.refusal(peer)) {
                // Closed before lws sees it: no handshake, no buffers for this peer.
                metrics::connectionRejected(*refused);
                ::close(fd);
                continue;
            }
            lws* wsi = lws_adopt_socket_vhost(vhost, fd);
            if (!wsi) {
                log::warning("websocket: could not adopt an accepted connection");
                continue;
            }
            // Counted from adoption to LWS_CALLBACK_WSI_DESTROY, handshake included.
            admitted_[wsi] = peer;
            admission_.admit(peer);
        }
        bridge_.kick();
    }

    void release(lws* wsi) {
        auto known = admitted_.find(wsi);
        if (known == admitted_.end()) return;
        admission_.release(known->second);
        admitted_.erase(known);
    }

    static int callback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
        if (reason == LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS && configuringTls) {
            TlsSetup& setup = *configuringTls;
            setup.applied = setup.tls->configure(static_cast<SSL_CTX*>(user), setup.error);
            return setup.applied ? 0 : 1;
        }
        if (!wsi) return 0;
        auto* self = static_cast<Impl*>(lws_context_user(lws_get_context(wsi)));
        if (!self) return lws_callback_http_dummy(wsi, reason, user, in, len);
        switch (reason) {
            case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
                return self->filterHandshake(wsi);
            case LWS_CALLBACK_RAW_ADOPT:
                // lws turns a CONNECT request into a raw socket that it then holds open
                // for good; zaqard has no raw protocol: close it.
                return -1;
            case LWS_CALLBACK_ADD_HEADERS:
                return self->addHandshakeHeaders(wsi, static_cast<lws_process_html_args*>(in));
            case LWS_CALLBACK_ESTABLISHED:
                self->onOpen(wsi);
                return 0;
            case LWS_CALLBACK_WSI_DESTROY:
                self->pendingIds_.erase(wsi);
                self->release(wsi);
                return lws_callback_http_dummy(wsi, reason, user, in, len);
            case LWS_CALLBACK_RECEIVE:
                self->onReceive(wsi, in, len);
                return 0;
            case LWS_CALLBACK_SERVER_WRITEABLE:
                return self->onWritable(wsi);
            case LWS_CALLBACK_CLOSED:
                self->onClose(wsi);
                return 0;
            default:
                return lws_callback_http_dummy(wsi, reason, user, in, len);
        }
    }

    std::string newConnectionId() const {
        return idPrefix_.empty() ? randomUuid() : idPrefix_ + "." + randomUuid();
    }

    static std::string handshakeHeader(lws* wsi, lws_token_indexes token) {
        int length = lws_hdr_total_length(wsi, token);
        if (length <= 0) return {};
        std::string value(static_cast<size_t>(length) + 1, '\0');
        int copied = lws_hdr_copy(wsi, value.data(), length + 1, token);
        value.resize(copied > 0 ? static_cast<size_t>(copied) : 0);
        return value;
    }

    // Non-zero refuses the upgrade: a 400 or 403 first, so a browser or client sees why.
    int filterHandshake(lws* wsi) {
        // RFC 6455's shape first (upgrade_rules.h: lws itself is lenient there).
        UpgradeRequest upgrade;
        upgrade.get = lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0;
        if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0)
            upgrade.contentLength = handshakeHeader(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
        upgrade.transferEncoding = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0;
        upgrade.version = handshakeHeader(wsi, WSI_TOKEN_VERSION);
        upgrade.key = handshakeHeader(wsi, WSI_TOKEN_KEY);
        if (auto problem = upgradeProblem(upgrade)) {
            log::info("websocket: handshake refused: " + *problem);
            lws_return_http_status(wsi, HTTP_STATUS_BAD_REQUEST, problem->c_str());
            return 1;
        }
        if (!originCheck_) return 0;
        std::string origin = handshakeHeader(wsi, WSI_TOKEN_ORIGIN);
        if (originCheck_(origin, handshakeHeader(wsi, WSI_TOKEN_HOST))) return 0;
        log::info("websocket: handshake from origin '" + origin +
                  "' refused ([cors] allowed_origin)");
        lws_return_http_status(wsi, HTTP_STATUS_FORBIDDEN, "Origin not allowed");
        return 1;
    }

    // The upgrade response names the connection (X-Zaqard-Connection-ID), so a client
    // can tell which connection a subscription URI or a push refers to.
    int addHandshakeHeaders(lws* wsi, lws_process_html_args* args) {
        std::string id = newConnectionId();
        static const unsigned char name[] = "x-zaqard-connection-id:";
        auto** p = reinterpret_cast<unsigned char**>(&args->p);
        if (lws_add_http_header_by_name(wsi, name,
                                        reinterpret_cast<const unsigned char*>(id.data()),
                                        static_cast<int>(id.size()), p, *p + args->max_len))
            return 1;
        pendingIds_[wsi] = std::move(id);
        return 0;
    }

    void onOpen(lws* wsi) {
        std::string id;
        auto pending = pendingIds_.find(wsi);
        if (pending != pendingIds_.end()) {
            id = std::move(pending->second);
            pendingIds_.erase(pending);
        } else {
            id = newConnectionId();
        }
        auto connection = std::make_shared<Connection>(wsi, limits_, std::move(id));
        byId_[connection->id()] = connection;
        connections_[wsi] = std::move(connection);
        metrics::connectionOpened(metrics::Transport::WebSocket);
    }

    void onReceive(lws* wsi, void* in, size_t len) {
        auto it = connections_.find(wsi);
        if (it == connections_.end()) return;
        std::shared_ptr<Connection> connection = it->second;
        bool final = lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0;
        if (!connection->receive(in, len, lws_frame_is_binary(wsi), final)) return;
        Connection::Message message = connection->takeMessage();
        // Closing for a slow reader: read on (to reach the peer's close acknowledgement)
        // but do no more work for this peer.
        if (connection->wantsClose()) return;
        uint64_t slot = connection->reserveSlot();
        DecodedFrame frame = message.tooLarge ? frameTooLarge(message.kind, limits_.maxFrameBytes)
                                              : decodeFrame(message.kind, message.payload);
        if (frame.value && message.kind == FrameKind::Text) frame.text = std::move(message.payload);
        std::weak_ptr<Connection> weak = connection;
        FrameKind kind = message.kind;
        handler_(*connection, std::move(frame), [this, weak, slot, kind](Outgoing response) {
            auto target = weak.lock();
            if (!target || !target->open()) return;
            target->complete(slot, kind, encodeFrame(kind, std::move(response)));
            // A reply written whole needs no lws loop pass (connection.h).
            if (target->takeLoopPass()) bridge_.kick();
        });
        if (connection->takeLoopPass()) bridge_.kick();
    }

    int onWritable(lws* wsi) {
        auto it = connections_.find(wsi);
        if (it == connections_.end()) return 0;
        return it->second->writePending() ? 0 : -1;
    }

    void onClose(lws* wsi) {
        auto it = connections_.find(wsi);
        if (it == connections_.end()) return;
        metrics::connectionClosed(metrics::Transport::WebSocket);
        it->second->detach();
        byId_.erase(it->second->id());
        if (closeHandler_) closeHandler_(it->second->id());
        // Late replies hold weak references only; the object may go at once.
        connections_.erase(it);
    }

    event::Dispatcher& dispatcher_;
    std::string bind_;
    int port_;
    WebSocketLimits limits_;
    FrameHandler handler_;
    OriginCheck originCheck_;
    UvLoopBridge bridge_;
    lws_protocols protocols_[2]{};
    lws_context* context_ = nullptr;
    lws_vhost* vhost_ = nullptr;
    UniqueFd listener_;
    event::FileEventPtr acceptEvent_;
    std::shared_ptr<tls::ServerTls> tls_;
    int tlsPort_ = -1;
    lws_vhost* tlsVhost_ = nullptr;
    SSL_CTX* unusedClientContext_ = nullptr;
    UniqueFd tlsListener_;
    event::FileEventPtr tlsAcceptEvent_;
    std::unordered_map<lws*, std::shared_ptr<Connection>> connections_;
    std::unordered_map<std::string, std::weak_ptr<Connection>> byId_;
    std::string idPrefix_;
    std::function<void(const std::string&)> closeHandler_;
    // Ids announced in upgrade responses, until the connection is established.
    std::unordered_map<lws*, std::string> pendingIds_;
    // Adopted connections and their client address, counted against the limits (per shard,
    // for this listener only) from adoption to LWS_CALLBACK_WSI_DESTROY.
    std::unordered_map<lws*, std::string> admitted_;
    event::ConnectionAdmission admission_;
};

WebSocketServer::WebSocketServer(event::Dispatcher& dispatcher, std::string bind, int port,
                                 WebSocketLimits limits, FrameHandler handler)
    : impl_(std::make_unique<Impl>(dispatcher, std::move(bind), port, limits, std::move(handler))) {
}

WebSocketServer::~WebSocketServer() = default;

void WebSocketServer::setTls(std::shared_ptr<tls::ServerTls> tls, int port) {
    impl_->setTls(std::move(tls), port);
}

bool WebSocketServer::listen(std::string& error) {
    return impl_->listen(error);
}
void WebSocketServer::stopAccepting() {
    impl_->stopAccepting();
}
size_t WebSocketServer::inFlight() const {
    return impl_->inFlight();
}
size_t WebSocketServer::connections() const {
    return impl_->connections();
}
bool WebSocketServer::push(const std::string& connectionId, const Json& value) {
    return impl_->push(connectionId, value);
}
bool WebSocketServer::close(const std::string& connectionId, uint16_t code,
                            const std::string& reason) {
    return impl_->close(connectionId, code, reason);
}
void WebSocketServer::setCloseHandler(std::function<void(const std::string&)> handler) {
    impl_->setCloseHandler(std::move(handler));
}
void WebSocketServer::setOriginCheck(OriginCheck check) {
    impl_->setOriginCheck(std::move(check));
}
void WebSocketServer::setConnectionIdPrefix(std::string prefix) {
    impl_->setConnectionIdPrefix(std::move(prefix));
}

}  // namespace zaqard::websocket
