// lws calls back into a connection through the wsi's user pointer (the connect info's
// userdata). A connection that goes away first (close(), destructor) clears that pointer
// and asks lws to drop the wsi asynchronously, so no callback reaches a dead object and
// no wsi is freed inside its own callback. A frame is written at once when nothing is
// queued before it and lws holds nothing back (as the server's Connection::enqueue does);
// otherwise it queues and leaves from the WRITEABLE callback.
#include "loadgen/ws_connection.h"

#include <libwebsockets.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "loadgen/clock.h"
#include "loadgen/ws_frame.h"
#include "transports/websocket/lws_context_teardown.h"

namespace zqbench {
namespace {

constexpr char kProtocolName[] = "zqbench-ws";

int protocolCallback(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
    if (user != nullptr) {
        switch (reason) {
            case LWS_CALLBACK_CLIENT_ESTABLISHED:
            case LWS_CALLBACK_CLIENT_RECEIVE:
            case LWS_CALLBACK_CLIENT_WRITEABLE:
            case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            case LWS_CALLBACK_CLIENT_CLOSED:
            case LWS_CALLBACK_WSI_DESTROY:
                return static_cast<WsConnection*>(user)->onEvent(wsi, reason, in, len);
            default:
                break;
        }
    }
    return lws_callback_http_dummy(wsi, reason, nullptr, in, len);
}

const lws_protocols kProtocols[] = {
    {kProtocolName, &protocolCallback, 0, 0, 0, nullptr, 0},
    {nullptr, nullptr, 0, 0, 0, nullptr, 0},
};

}  // namespace

bool parseWsUrl(const std::string& url, WsEndpoint* out, std::string* error) {
    out->tls = url.compare(0, 6, "wss://") == 0;
    const std::string scheme = out->tls ? "wss://" : "ws://";
    if (url.compare(0, scheme.size(), scheme) != 0) {
        *error = "only ws:// and wss:// URLs are supported: " + url;
        return false;
    }
    const std::string rest = url.substr(scheme.size());
    const size_t slash = rest.find('/');
    const std::string authority = rest.substr(0, slash);
    out->path = slash == std::string::npos ? "/" : rest.substr(slash);
    const size_t colon = authority.rfind(':');
    out->host = authority.substr(0, colon);
    out->port = out->tls ? 443 : 80;
    if (colon != std::string::npos) {
        const std::string port = authority.substr(colon + 1);
        char* end = nullptr;
        const long value = std::strtol(port.c_str(), &end, 10);
        if (port.empty() || *end != '\0' || value < 1 || value > 65535) {
            *error = "bad port in " + url;
            return false;
        }
        out->port = static_cast<int>(value);
    }
    if (out->host.empty() || out->host.front() == '[') {
        *error = "need ws://host:port (IPv4 or a name): " + url;
        return false;
    }
    return true;
}

WsClientContext::WsClientContext(zaqard::event::Dispatcher& dispatcher)
    : base_(dispatcher.base()), bridge_(dispatcher) {}

WsClientContext::~WsClientContext() {
    // Let what the loop still has deferred (kicks from closing connections) run while the
    // lws context exists, so the closes reach lws before it is destroyed (a kick left
    // for later is ignored by the destroyed bridge). One priority level per pass.
    for (int i = 0; i < 4; ++i) event_base_loop(base_, EVLOOP_NONBLOCK);
    zaqard::websocket::destroyOnForeignLoop(context_, bridge_);
    context_ = nullptr;
}

bool WsClientContext::start(bool tls, std::string* error) {
    static const int logLevel = (lws_set_log_level(LLL_ERR, nullptr), 0);
    (void)logLevel;
    void* loops[] = {bridge_.loop()};
    lws_context_creation_info info{};
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = kProtocols;
    info.gid = -1;
    info.uid = -1;
    info.foreign_loops = loops;
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_UV_NO_SIGSEGV_SIGFPE_SPIN;
    if (tls) info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    context_ = lws_create_context(&info);
    if (!context_) {
        *error = "cannot create the libwebsockets client context (libuv event lib missing?)";
        return false;
    }
    bridge_.kick();
    return true;
}

WsConnection::WsConnection(WsClientContext& context, const WsEndpoint& endpoint,
                           std::string clientId, std::string project, size_t pipeline,
                           Listener& listener)
    : Connection(context.base(), pipeline, listener),
      context_(context),
      endpoint_(endpoint),
      clientId_(std::move(clientId)),
      project_(std::move(project)) {}

WsConnection::~WsConnection() {
    forgetWsi();
}

void WsConnection::connect() {
    lws_client_connect_info info{};
    info.context = context_.context();
    info.address = endpoint_.host.c_str();
    info.port = endpoint_.port;
    info.path = endpoint_.path.c_str();
    info.host = endpoint_.host.c_str();
    info.origin = endpoint_.host.c_str();
    info.local_protocol_name = kProtocolName;
    info.userdata = this;
    info.pwsi = &wsi_;
    // wss://: not verified (the benchmark measures zaqard, not PKI); lws keeps the
    // connection, so the handshake is paid once per connection.
    if (endpoint_.tls)
        info.ssl_connection =
            LCCSCF_USE_SSL | LCCSCF_ALLOW_SELFSIGNED | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK;
    // A failure may be reported through the callback (CONNECTION_ERROR) before this
    // returns, or by the null return alone.
    if (lws_client_connect_via_info(&info) == nullptr && !reconnectPending()) {
        wsi_ = nullptr;
        ++failures_;
        broken();
    }
    context_.kick();
}

void WsConnection::forgetWsi() {
    if (!wsi_) return;
    lws_set_wsi_user(wsi_, nullptr);
    lws_set_timeout(wsi_, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    wsi_ = nullptr;
    context_.kick();
}

void WsConnection::close() {
    stopAndForget();
    out_.clear();
    forgetWsi();
}

void WsConnection::send(Request&& request) {
    scratch_.assign(LWS_PRE, '\0');
    std::string error;
    if (!renderWsFrame(request, clientId_, project_, &scratch_, &error)) {
        listener_.onFatal(*this, error);
        return;
    }
    request.sentNs = nowNs();
    std::string().swap(request.body);
    inflight_.push_back(std::move(request));
    // As the HTTP client does: written at once when nothing is queued before it and lws
    // holds nothing back. A writable callback per frame would cost libuv two epoll_ctl
    // (write interest on, then off) and a loop pass, on the cores zaqard is measured on.
    if (wsi_ && out_.empty() && !lws_partial_buffered(wsi_)) {
        if (!writeFrame(scratch_)) {
            ++failures_;
            forgetWsi();
            broken();
            return;
        }
        // A partial write: lws flushes the rest on writability, which it has asked for.
        if (lws_partial_buffered(wsi_)) context_.kick();
        return;
    }
    out_.push_back(std::move(scratch_));
    scratch_ = std::string();
    if (wsi_) lws_callback_on_writable(wsi_);
    context_.kick();
}

bool WsConnection::writeFrame(std::string& frame) {
    const size_t payload = frame.size() - LWS_PRE;
    auto* data = reinterpret_cast<unsigned char*>(frame.data()) + LWS_PRE;
    return lws_write(wsi_, data, payload, LWS_WRITE_TEXT) >= static_cast<int>(payload);
}

int WsConnection::onEvent(lws* wsi, int reason, void* in, size_t len) {
    switch (reason) {
        case LWS_CALLBACK_CLIENT_ESTABLISHED:
            wsi_ = wsi;
            connected_ = true;
            listener_.onConnected(*this);
            return 0;
        case LWS_CALLBACK_CLIENT_RECEIVE:
            if (!receive(in, len,
                         lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi))) {
                ++failures_;
                lws_set_wsi_user(wsi, nullptr);
                wsi_ = nullptr;
                broken();
                return -1;
            }
            return 0;
        case LWS_CALLBACK_CLIENT_WRITEABLE:
            return writePending();
        case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
            ++failures_;
            [[fallthrough]];
        case LWS_CALLBACK_CLIENT_CLOSED:
        case LWS_CALLBACK_WSI_DESTROY:
            // Once per connection: the first of these detaches the wsi from us.
            lws_set_wsi_user(wsi, nullptr);
            if (wsi_ == wsi || reason != LWS_CALLBACK_WSI_DESTROY) {
                wsi_ = nullptr;
                broken();
            }
            return 0;
        default:
            return 0;
    }
}

bool WsConnection::receive(const void* in, size_t len, bool final) {
    // A reply in one piece (the usual case) is read where lws holds it, not copied.
    const bool whole = final && rx_.empty();
    if (!whole) rx_.append(static_cast<const char*>(in), len);
    if (!final) return true;
    const std::string_view frame =
        whole ? std::string_view(static_cast<const char*>(in), len) : std::string_view(rx_);
    Response response;
    const WsReply kind = parseWsReply(frame, &response);
    if (kind == WsReply::NotReply) {
        rx_.clear();  // a notification pushed to the connection: not an answer
        return true;
    }
    if (kind == WsReply::Malformed || inflight_.empty()) {
        std::fprintf(stderr, "loadgen: %s websocket frame: %.*s\n",
                     kind == WsReply::Malformed ? "bad" : "unexpected",
                     static_cast<int>(std::min<size_t>(frame.size(), 200)), frame.data());
        rx_.clear();
        return false;
    }
    rx_.clear();
    Request request = std::move(inflight_.front());
    inflight_.pop_front();
    response.completedNs = nowNs();
    listener_.onResponse(*this, std::move(request), std::move(response));
    return true;
}

int WsConnection::writePending() {
    if (!wsi_) return 0;
    // lws_partial_buffered, not lws_send_pipe_choked (a poll() per frame): lws keeps what
    // the socket did not take and calls back when it has flushed it.
    while (!out_.empty() && !lws_partial_buffered(wsi_)) {
        if (!writeFrame(out_.front())) {
            ++failures_;
            lws_set_wsi_user(wsi_, nullptr);
            wsi_ = nullptr;
            broken();
            return -1;
        }
        out_.pop_front();
    }
    if (!out_.empty()) lws_callback_on_writable(wsi_);
    return 0;
}

void WsConnection::broken() {
    connected_ = false;
    rx_.clear();
    out_.clear();
    failInflightAndScheduleReconnect();
}

}  // namespace zqbench
