// Requests are rendered into one scratch string and appended to the output buffer, so a
// burst of pipelined requests leaves in as few writes as libevent can manage. Nagle is
// off: a benchmark of small requests must not wait for delayed ACKs.
#include "loadgen/http_connection.h"

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cstdio>

#include "loadgen/clock.h"

namespace zqbench {
namespace {
// One client context for every https connection of the run. The benchmark measures
// zaqard's cost, not PKI: the server certificate is not verified.
SSL_CTX* clientContext() {
    static SSL_CTX* context = [] {
        SSL_CTX* c = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
        SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT);
        return c;
    }();
    return context;
}
}  // namespace

HttpConnection::HttpConnection(event_base* base, const Endpoint& endpoint, std::string headers,
                               size_t pipeline, Listener& listener)
    : Connection(base, pipeline, listener),
      base_(base),
      endpoint_(endpoint),
      headers_(std::move(headers)) {}

void HttpConnection::connect() {
    dead_.reset();
    evutil_socket_t fd = socket(endpoint_.address.ss_family, SOCK_STREAM, 0);
    if (fd < 0) {
        broken();
        return;
    }
    evutil_make_socket_nonblocking(fd);
    evutil_make_socket_closeonexec(fd);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (endpoint_.tls) {
        SSL* ssl = SSL_new(clientContext());
        if (session_) SSL_set_session(ssl, session_);  // resumption on reconnect
        bev_.reset(bufferevent_openssl_socket_new(base_, fd, ssl, BUFFEREVENT_SSL_CONNECTING,
                                                  BEV_OPT_CLOSE_ON_FREE));
        bufferevent_openssl_set_allow_dirty_shutdown(bev_.get(), 1);
    } else {
        bev_.reset(bufferevent_socket_new(base_, fd, BEV_OPT_CLOSE_ON_FREE));
    }
    bufferevent_setcb(bev_.get(), &HttpConnection::onRead, nullptr, &HttpConnection::onEvent, this);
    bufferevent_enable(bev_.get(), EV_READ | EV_WRITE);
    if (bufferevent_socket_connect(bev_.get(),
                                   reinterpret_cast<const sockaddr*>(&endpoint_.address),
                                   static_cast<int>(endpoint_.addressLength)) != 0) {
        broken();
    }
}

void HttpConnection::close() {
    stopAndForget();
    if (session_) SSL_SESSION_free(session_);
    session_ = nullptr;
    bev_.reset();
    dead_.reset();
}

void HttpConnection::send(Request&& request) {
    scratch_.clear();
    scratch_.append(request.method).append(" ");
    scratch_.append(endpoint_.pathPrefix).append(request.path).append(" HTTP/1.1\r\n");
    scratch_.append(headers_);
    scratch_.append(request.headerLines);
    if (!request.contentType.empty()) {
        scratch_.append("Content-Type: ").append(request.contentType).append("\r\n");
    }
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
        request.method == "PATCH") {
        char length[48];
        const int n =
            std::snprintf(length, sizeof length, "Content-Length: %zu\r\n", request.body.size());
        scratch_.append(length, static_cast<size_t>(n));
    }
    scratch_.append("\r\n").append(request.body);
    evbuffer_add(bufferevent_get_output(bev_.get()), scratch_.data(), scratch_.size());
    request.sentNs = nowNs();
    std::string().swap(request.body);  // not needed once written; keeps pipelines small
    inflight_.push_back(std::move(request));
}

void HttpConnection::onRead(bufferevent*, void* self) {
    static_cast<HttpConnection*>(self)->readResponses();
}

void HttpConnection::readResponses() {
    evbuffer* input = bufferevent_get_input(bev_.get());
    while (evbuffer_get_length(input) > 0) {
        if (inflight_.empty()) {
            ++failures_;
            broken();  // bytes nobody asked for: the stream is out of sync
            return;
        }
        const bool head = inflight_.front().method == "HEAD";
        const auto outcome = parser_.parse(input, head);
        if (outcome == HttpResponseParser::Outcome::NeedMore) return;
        if (outcome == HttpResponseParser::Outcome::Error) {
            std::fprintf(stderr, "loadgen: bad response: %s\n", parser_.error().c_str());
            ++failures_;
            broken();
            return;
        }
        Request request = std::move(inflight_.front());
        inflight_.pop_front();
        Response response{parser_.status(), parser_.takeBody(), nowNs()};
        const bool close = parser_.closeAfter();
        listener_.onResponse(*this, std::move(request), std::move(response));
        if (closing_) return;
        if (close) {
            broken();
            return;
        }
    }
}

void HttpConnection::onEvent(bufferevent*, short what, void* self) {
    auto* c = static_cast<HttpConnection*>(self);
    if (what & BEV_EVENT_CONNECTED) {
        c->connected_ = true;
        c->listener_.onConnected(*c);
        return;
    }
    if ((what & BEV_EVENT_EOF) && c->parser_.finishAtEof() && !c->inflight_.empty()) {
        Request request = std::move(c->inflight_.front());
        c->inflight_.pop_front();
        Response response{c->parser_.status(), c->parser_.takeBody(), nowNs()};
        c->listener_.onResponse(*c, std::move(request), std::move(response));
        if (c->closing_) return;
    }
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        if (what & BEV_EVENT_ERROR) ++c->failures_;
        c->broken();
    }
}

void HttpConnection::broken() {
    connected_ = false;
    parser_ = HttpResponseParser{};
    if (bev_) {
        if (endpoint_.tls) {
            if (SSL* ssl = bufferevent_openssl_get_ssl(bev_.get())) {
                if (SSL_SESSION* latest = SSL_get1_session(ssl)) {
                    if (session_) SSL_SESSION_free(session_);
                    session_ = latest;
                }
            }
        }
        bufferevent_disable(bev_.get(), EV_READ | EV_WRITE);
        dead_ = std::move(bev_);
    }
    failInflightAndScheduleReconnect();
}

}  // namespace zqbench
