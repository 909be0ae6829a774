// RequestGate (request_gate.h). Loop rules it relies on, checked against libevent 2.1.12:
//  - evhttp writes a reply into the filter's output while the filter's EV_WRITE may be
//    disabled, and bufferevent_filter then never moves it on; so the gate moves evhttp's
//    bytes to the socket itself (onOutputAdded, filterOut) and runs evhttp's write callback
//    only once the socket has taken them (onSocketOutput) -- otherwise evhttp would free a
//    "Connection: close" connection while its reply still sits in the socket buffer;
//  - evhttp reads a request only while it has none in flight (it disables reading), so
//    the gate never hands it a second one: one parsed request may wait here (Ready);
//  - closing = an error event on the filter, delivered deferred: evhttp frees the
//    connection from its own error callback, never from inside one of ours.
#include "transports/http/request_gate.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "src/common/log.h"
#include "transports/http/content_negotiation.h"

namespace zaqard::http {

namespace {

constexpr const char* kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// What zaqard serves at all (a 405 from the gate does not route, so it names no path's).
constexpr const char* kServedMethods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

// RFC 9110 tchar: what a header name or a method may be made of.
bool isTokenChar(unsigned char c) {
    if (c >= '0' && c <= '9') return true;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
    return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != 0;
}

bool equalsLower(const std::string& text, const char* lower) {
    size_t n = std::strlen(lower);
    if (text.size() != n) return false;
    for (size_t i = 0; i < n; ++i)
        if (static_cast<char>(std::tolower(static_cast<unsigned char>(text[i]))) != lower[i])
            return false;
    return true;
}

const char* reasonPhrase(int status) {
    switch (status) {
        case 400:
            return "Bad Request";
        case 405:
            return "Method Not Allowed";
        case 413:
            return "Request Entity Too Large";
        case 414:
            return "Request-URI Too Long";
        case 417:
            return "Expectation Failed";
        case 431:
            return "Request Header Fields Too Large";
        case 503:
            return "Service Unavailable";
        case 505:
            return "HTTP Version Not Supported";
        default:
            return "Error";
    }
}

bool methodServed(uint8_t method) {
    switch (method) {
        case HTTP_GET:
        case HTTP_HEAD:
        case HTTP_POST:
        case HTTP_PUT:
        case HTTP_PATCH:
        case HTTP_DELETE:
        case HTTP_OPTIONS:
        case HTTP_TRACE:  // evhttp passes it on; the router answers 405 with the path's Allow
            return true;
        default:
            return false;
    }
}

timeval toTimeval(double seconds) {
    timeval tv;
    tv.tv_sec = static_cast<time_t>(seconds);
    tv.tv_usec = static_cast<suseconds_t>(std::lround((seconds - std::floor(seconds)) * 1e6));
    if (tv.tv_usec >= 1000000) {
        tv.tv_sec += 1;
        tv.tv_usec -= 1000000;
    }
    return tv;
}

RequestGate* gateOf(llhttp_t* parser) {
    return static_cast<RequestGate*>(parser->data);
}

}  // namespace

const llhttp_settings_t& RequestGate::settings() {
    static const llhttp_settings_t table = [] {
        llhttp_settings_t s;
        llhttp_settings_init(&s);
        s.on_message_begin = &RequestGate::onMessageBegin;
        s.on_method = &RequestGate::onMethod;
        s.on_url = &RequestGate::onUrl;
        s.on_header_field = &RequestGate::onHeaderField;
        s.on_header_field_complete = &RequestGate::onHeaderFieldComplete;
        s.on_header_value = &RequestGate::onHeaderValue;
        s.on_header_value_complete = &RequestGate::onHeaderValueComplete;
        s.on_headers_complete = &RequestGate::onHeadersComplete;
        s.on_body = &RequestGate::onBody;
        s.on_message_complete = &RequestGate::onMessageComplete;
        return s;
    }();
    return table;
}

RequestGate::RequestGate(bufferevent* underlying, const GateLimits& limits, GateOwner& owner)
    : underlying_(underlying), limits_(limits), owner_(owner) {
    llhttp_init(&parser_, HTTP_REQUEST, &settings());
    parser_.data = this;
    event_base* base = bufferevent_get_base(underlying);
    timer_ = evtimer_new(base, &RequestGate::onTimer, this);
    accepted_ = event_new(base, -1, 0, &RequestGate::onAccepted, this);
    body_ = evbuffer_new();
    ready_ = evbuffer_new();
    // Ours until our destructor: the filter frees the socket bufferevent before it
    // deletes its context, and the callback below must not outlive the gate.
    bufferevent_incref(underlying_);
}

RequestGate::~RequestGate() {
    if (timer_) event_free(timer_);
    if (accepted_) event_free(accepted_);
    if (body_) evbuffer_free(body_);
    if (ready_) evbuffer_free(ready_);
    if (filter_ && outputCb_) evbuffer_remove_cb_entry(bufferevent_get_output(filter_), outputCb_);
    evbuffer_remove_cb(bufferevent_get_output(underlying_), &RequestGate::onSocketOutput, this);
    bufferevent_decref(underlying_);
}

bufferevent* RequestGate::wrap(bufferevent* underlying, const GateLimits& limits,
                               GateOwner& owner) {
    auto* gate = new RequestGate(underlying, limits, owner);
    bufferevent* filter =
        bufferevent_filter_new(underlying, &RequestGate::filterIn, &RequestGate::filterOut,
                               BEV_OPT_CLOSE_ON_FREE, &RequestGate::freeContext, gate);
    if (!filter || !gate->timer_ || !gate->accepted_ || !gate->body_ || !gate->ready_) {
        if (filter) {
            bufferevent_free(filter);  // frees the gate (freeContext) and the socket
        } else {
            delete gate;
            bufferevent_free(underlying);
        }
        return nullptr;
    }
    gate->filter_ = filter;
    gate->outputCb_ =
        evbuffer_add_cb(bufferevent_get_output(filter), &RequestGate::onOutputAdded, gate);
    evbuffer_add_cb(bufferevent_get_output(underlying), &RequestGate::onSocketOutput, gate);
    // Read ahead of the parser only this far: a connection whose next request waits for
    // the previous reply stops being read instead of filling memory.
    bufferevent_setwatermark(underlying, EV_READ, 0, limits.readAheadBytes);
    if (limits.writeTimeout > 0) {
        timeval tv = toTimeval(limits.writeTimeout);
        bufferevent_set_timeouts(underlying, nullptr, &tv);  // an unread reply: closed
    }
    // evhttp attaches the socket and its connection right after this returns, in the
    // same accept callback; the gate looks at both once that is done.
    event_active(gate->accepted_, EV_TIMEOUT, 1);
    return filter;
}

void RequestGate::freeContext(void* self) {
    delete static_cast<RequestGate*>(self);
}

void RequestGate::onAccepted(evutil_socket_t, short, void* self) {
    auto& gate = *static_cast<RequestGate*>(self);
    void* connection = nullptr;
    bufferevent_getcb(gate.filter_, nullptr, nullptr, nullptr, &connection);
    if (!connection || gate.detached_) return;  // evhttp let go of it already
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    evutil_socket_t fd = bufferevent_getfd(gate.underlying_);
    char text[INET6_ADDRSTRLEN] = "";
    if (fd >= 0 && getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
        if (address.ss_family == AF_INET)
            inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&address)->sin_addr, text,
                      sizeof text);
        else if (address.ss_family == AF_INET6)
            inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&address)->sin6_addr, text,
                      sizeof text);
    }
    gate.peer_ = text;
    if (!gate.owner_.admitConnection(gate, static_cast<evhttp_connection*>(connection))) {
        gate.refuse(503, "Service temporarily unavailable",
                    "Too many connections; please try again later.");
        return;
    }
    gate.rearmTimer(false);
}

void RequestGate::detach() {
    detached_ = true;
    if (timer_) event_del(timer_);
}

// ---- bytes in ----------------------------------------------------------------------

bufferevent_filter_result RequestGate::filterIn(evbuffer*, evbuffer*, ev_ssize_t,
                                                bufferevent_flush_mode, void* self) {
    auto& gate = *static_cast<RequestGate*>(self);
    bool delivered = gate.pump();
    // BEV_OK makes the filter run evhttp's read callback; it also calls us again while
    // bytes remain, which ends with NEED_MORE once nothing more can be handed over.
    return delivered ? BEV_OK : BEV_NEED_MORE;
}

bool RequestGate::pump() {
    if (detached_) return false;
    evbuffer* src = bufferevent_get_input(underlying_);
    bool delivered = false;
    bool bodyProgress = false;
    // Each turn consumes bytes or hands over a request; the bound is a safety net.
    for (int turn = 0; turn < 100000 && !closing_ && !poisoned_; ++turn) {
        if (phase_ == Phase::Ready) {
            if (inFlight_) break;  // parsed ahead; waits for the reply to the previous one
            delivered = deliver() || delivered;
            continue;
        }
        evbuffer_iovec chunk;
        if (evbuffer_get_length(src) == 0 || evbuffer_peek(src, -1, nullptr, &chunk, 1) < 1) break;
        const char* data = static_cast<const char*>(chunk.iov_base);
        const Phase before = phase_;
        llhttp_errno_t error = llhttp_execute(&parser_, data, chunk.iov_len);
        size_t used = chunk.iov_len;
        if (error == HPE_PAUSED || error == HPE_PAUSED_UPGRADE) {
            // Paused at the end of a request (onMessageComplete). An Upgrade or CONNECT
            // pauses once more after it: zaqard ignores Upgrade and refused CONNECT.
            used = static_cast<size_t>(llhttp_get_error_pos(&parser_) - data);
            if (error == HPE_PAUSED)
                llhttp_resume(&parser_);
            else
                llhttp_resume_after_upgrade(&parser_);
        } else if (error != HPE_OK) {
            refuseParse(error, src);
            break;
        }
        if (before == Phase::Body || phase_ == Phase::Body) bodyProgress = true;
        evbuffer_drain(src, used);
    }
    rearmTimer(bodyProgress);
    return delivered;
}

bool RequestGate::deliver() {
    evbuffer_add_buffer(bufferevent_get_input(filter_), ready_);
    inFlight_ = true;
    phase_ = Phase::Idle;
    return true;
}

void RequestGate::replied() {
    if (detached_) return;
    inFlight_ = false;
    if (poisoned_ || closing_) return;  // that reply closes the connection
    if (continuePending_) {
        continuePending_ = false;
        evbuffer_add(bufferevent_get_output(underlying_), kContinue, std::strlen(kContinue));
    }
    timerFor_ = Phase::Ready;  // the idle time starts now
    // A request parsed meanwhile goes to evhttp now: it reads it once its reply is written.
    pump();
}

// ---- llhttp callbacks --------------------------------------------------------------

int RequestGate::fail(int status, const char* title, std::string description) {
    refusedStatus_ = status;
    refusedTitle_ = title;
    refusedDescription_ = std::move(description);
    return HPE_USER;
}

bool RequestGate::countHead(size_t bytes, bool inRequestLine) {
    headBytes_ += bytes;
    if (headBytes_ <= limits_.maxHeaderBytes) return true;
    std::string limit = std::to_string(limits_.maxHeaderBytes);
    if (inRequestLine)
        fail(414, "Request-URI Too Long", "The request line is longer than " + limit + " bytes.");
    else
        fail(431, "Request Header Fields Too Large",
             "The request line and headers are longer than " + limit + " bytes.");
    return false;
}

int RequestGate::onMessageBegin(llhttp_t* parser) {
    RequestGate& gate = *gateOf(parser);
    gate.phase_ = Phase::Head;
    gate.method_.clear();
    gate.url_.clear();
    gate.field_.clear();
    gate.value_.clear();
    gate.headers_.clear();
    gate.headBytes_ = 0;
    gate.expectContinue_ = false;
    gate.transferEncodings_ = 0;
    evbuffer_drain(gate.body_, evbuffer_get_length(gate.body_));
    return 0;
}

int RequestGate::onMethod(llhttp_t* parser, const char* at, size_t length) {
    RequestGate& gate = *gateOf(parser);
    gate.method_.append(at, length);
    return gate.countHead(length, true) ? 0 : HPE_USER;
}

int RequestGate::onUrl(llhttp_t* parser, const char* at, size_t length) {
    RequestGate& gate = *gateOf(parser);
    gate.url_.append(at, length);
    return gate.countHead(length, true) ? 0 : HPE_USER;
}

int RequestGate::onHeaderField(llhttp_t* parser, const char* at, size_t length) {
    RequestGate& gate = *gateOf(parser);
    gate.field_.append(at, length);
    return gate.countHead(length + 4, false) ? 0 : HPE_USER;  // ": " and CRLF
}

int RequestGate::onHeaderFieldComplete(llhttp_t* parser) {
    RequestGate& gate = *gateOf(parser);
    // llhttp 8 takes "Foo Bar", "" and "Content-Length " (space before the colon) as
    // names; a front proxy may read the last one as Content-Length. RFC 9112 §5.1: reject.
    bool valid = !gate.field_.empty();
    for (unsigned char c : gate.field_) valid = valid && isTokenChar(c);
    if (!valid) {
        gate.fail(400, "Invalid header name",
                  "A header name must be a non-empty token, with no whitespace before the "
                  "colon.");
        return -1;
    }
    return 0;
}

int RequestGate::onHeaderValue(llhttp_t* parser, const char* at, size_t length) {
    RequestGate& gate = *gateOf(parser);
    gate.value_.append(at, length);
    return gate.countHead(length, false) ? 0 : HPE_USER;
}

int RequestGate::onHeaderValueComplete(llhttp_t* parser) {
    RequestGate& gate = *gateOf(parser);
    std::string& value = gate.value_;
    if (value.find_first_of("\r\n") != std::string::npos) {  // obs-fold (RFC 9112 §5.2)
        gate.fail(400, "Invalid header value", "Folded header lines are not accepted.");
        return -1;
    }
    size_t begin = value.find_first_not_of(" \t");
    size_t end = value.find_last_not_of(" \t");
    value = begin == std::string::npos ? std::string() : value.substr(begin, end - begin + 1);
    const std::string& name = gate.field_;
    if (equalsLower(name, "content-length")) {
        // llhttp checked it (digits only, one value); evhttp gets the real body length.
    } else if (equalsLower(name, "transfer-encoding")) {
        if (!equalsLower(value, "chunked")) {
            gate.fail(400, "Invalid Transfer-Encoding",
                      "Only \"Transfer-Encoding: chunked\" is accepted.");
            return -1;
        }
        ++gate.transferEncodings_;
    } else if (equalsLower(name, "expect")) {
        if (!equalsLower(value, "100-continue")) {
            gate.fail(417, "Expectation Failed", "Only \"Expect: 100-continue\" is understood.");
            return -1;
        }
        gate.expectContinue_ = true;
    } else {
        gate.headers_.emplace_back(std::move(gate.field_), std::move(value));
    }
    gate.field_.clear();
    gate.value_.clear();
    return 0;
}

int RequestGate::onHeadersComplete(llhttp_t* parser) {
    RequestGate& gate = *gateOf(parser);
    if (parser->http_major != 1 || parser->http_minor > 1) {
        gate.fail(505, "HTTP Version Not Supported", "Only HTTP/1.0 and HTTP/1.1 are served.");
        return -1;
    }
    if (!methodServed(parser->method)) {
        gate.fail(405, "405 Method Not Allowed", "");
        return -1;
    }
    const bool chunked = (parser->flags & F_CHUNKED) != 0;
    const bool sized = (parser->flags & F_CONTENT_LENGTH) != 0;
    const bool hasBody = chunked || (sized && parser->content_length > 0);
    if (hasBody && (parser->method == HTTP_HEAD || parser->method == HTTP_TRACE)) {
        gate.fail(400, "Invalid request", "A HEAD or TRACE request has no body.");
        return -1;
    }
    if (sized && parser->content_length > gate.limits_.maxBodyBytes) {
        gate.fail(413, "Request body too large",
                  "The request body is larger than " + std::to_string(gate.limits_.maxBodyBytes) +
                      " bytes.");
        return -1;
    }
    if (gate.expectContinue_ && hasBody && parser->http_minor == 1) {
        if (gate.inFlight_) {
            gate.continuePending_ = true;
        } else {
            evbuffer_add(bufferevent_get_output(gate.underlying_), kContinue,
                         std::strlen(kContinue));
        }
    }
    gate.phase_ = Phase::Body;
    return 0;
}

int RequestGate::onBody(llhttp_t* parser, const char* at, size_t length) {
    RequestGate& gate = *gateOf(parser);
    if (evbuffer_get_length(gate.body_) + length > gate.limits_.maxBodyBytes)
        return gate.fail(413, "Request body too large",
                         "The request body is larger than " +
                             std::to_string(gate.limits_.maxBodyBytes) + " bytes.");
    evbuffer_add(gate.body_, at, length);
    return 0;
}

int RequestGate::onMessageComplete(llhttp_t* parser) {
    RequestGate& gate = *gateOf(parser);
    // The request as evhttp will read it: canonical line and headers, no framing of the
    // client's but a Content-Length of the body actually received.
    evbuffer* out = gate.ready_;
    evbuffer_add_printf(out, "%s %s HTTP/1.%d\r\n",
                        llhttp_method_name(static_cast<llhttp_method_t>(parser->method)),
                        gate.url_.c_str(), parser->http_minor);
    for (const auto& [name, value] : gate.headers_) {
        evbuffer_add(out, name.data(), name.size());
        evbuffer_add(out, ": ", 2);
        evbuffer_add(out, value.data(), value.size());
        evbuffer_add(out, "\r\n", 2);
    }
    // An explicit "Content-Length: 0" stays (Zaqar tells it apart from no body at all).
    size_t length = evbuffer_get_length(gate.body_);
    if (length > 0 || (parser->flags & F_CONTENT_LENGTH))
        evbuffer_add_printf(out, "Content-Length: %zu\r\n", length);
    evbuffer_add(out, "\r\n", 2);
    evbuffer_add_buffer(out, gate.body_);
    gate.headers_.clear();
    gate.phase_ = Phase::Ready;
    return HPE_PAUSED;  // stop here: one request at a time
}

// ---- refusals and closing ----------------------------------------------------------

void RequestGate::refuseParse(llhttp_errno_t error, evbuffer* src) {
    if (refusedStatus_ != 0) return refuse(refusedStatus_, refusedTitle_, refusedDescription_);
    if (error == HPE_INVALID_VERSION)
        return refuse(505, "HTTP Version Not Supported", "Only HTTP/1.0 and HTTP/1.1 are served.");
    if (error == HPE_INVALID_METHOD && phase_ != Phase::Body) {
        // A well-formed method zaqard does not know gets 405; bytes that are no method 400.
        unsigned char head[64];
        ev_ssize_t n = evbuffer_copyout(src, head, sizeof head);
        ev_ssize_t i = 0;
        while (i < n && (head[i] == '\r' || head[i] == '\n')) ++i;
        ev_ssize_t start = i;
        while (i < n && isTokenChar(head[i])) ++i;
        if (i > start && i < n && head[i] == ' ') return refuse(405, "405 Method Not Allowed", "");
    }
    const char* reason = llhttp_get_error_reason(&parser_);
    refuse(400, "Malformed request", reason && *reason ? reason : llhttp_errno_name(error));
}

void RequestGate::refuse(int status, const char* title, const std::string& description) {
    if (detached_ || closing_) return;
    log::debug("http: refused a request from " + (peer_.empty() ? "?" : peer_) + ": " +
               std::to_string(status) + " " + description);
    if (inFlight_) {
        // evhttp still owes the previous request its reply: that reply says
        // "Connection: close" and nothing after it is read.
        poisoned_ = true;
        stopReading();
        return;
    }
    std::string body = renderError(ErrorFormat::Json, title, description);
    evbuffer* out = bufferevent_get_output(underlying_);
    evbuffer_add_printf(out,
                        "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                        "Connection: close\r\n",
                        status, reasonPhrase(status), errorContentType(ErrorFormat::Json),
                        body.size());
    if (status == 405) evbuffer_add_printf(out, "Allow: %s\r\n", kServedMethods);
    evbuffer_add(out, "\r\n", 2);
    evbuffer_add(out, body.data(), body.size());
    closeWhenFlushed();
}

void RequestGate::stopReading() {
    bufferevent_disable(underlying_, EV_READ);
    evbuffer* src = bufferevent_get_input(underlying_);
    evbuffer_drain(src, evbuffer_get_length(src));
    if (timer_) event_del(timer_);
    timerFor_ = Phase::Ready;
}

void RequestGate::closeWhenFlushed() {
    closing_ = true;
    stopReading();
    if (evbuffer_get_length(bufferevent_get_output(underlying_)) == 0)
        bufferevent_trigger_event(filter_, BEV_EVENT_ERROR | BEV_EVENT_READING,
                                  BEV_TRIG_DEFER_CALLBACKS);
    // else onSocketOutput closes once the socket has taken it all
}

void RequestGate::rearmTimer(bool bodyProgress) {
    if (!timer_ || detached_) return;
    if (closing_ || poisoned_ || inFlight_ || phase_ == Phase::Ready) {
        event_del(timer_);
        timerFor_ = Phase::Ready;
        return;
    }
    // Head: a deadline from its first byte (slow headers). Body: inactivity. Idle: from
    // the last reply (or the accept).
    if (phase_ == timerFor_ && !(phase_ == Phase::Body && bodyProgress)) return;
    timerFor_ = phase_;
    double seconds = phase_ == Phase::Idle   ? limits_.idleTimeout
                     : phase_ == Phase::Head ? limits_.headerTimeout
                                             : limits_.bodyTimeout;
    if (seconds <= 0) {
        event_del(timer_);
        return;
    }
    timeval tv = toTimeval(seconds);
    event_add(timer_, &tv);
}

void RequestGate::onTimer(evutil_socket_t, short, void* self) {
    auto& gate = *static_cast<RequestGate*>(self);
    if (gate.detached_ || gate.inFlight_ || gate.closing_) return;
    log::debug("http: closing a connection from " + gate.peer_ + " (" +
               (gate.timerFor_ == Phase::Idle   ? "idle"
                : gate.timerFor_ == Phase::Head ? "headers too slow"
                                                : "body too slow") +
               ")");
    gate.closeWhenFlushed();
}

// ---- bytes out ---------------------------------------------------------------------

void RequestGate::moveOutput() {
    evbuffer* out = bufferevent_get_output(filter_);
    if (evbuffer_get_length(out) == 0) return;
    evhttpWriting_ = true;
    evbuffer_add_buffer(bufferevent_get_output(underlying_), out);
}

bufferevent_filter_result RequestGate::filterOut(evbuffer*, evbuffer*, ev_ssize_t,
                                                 bufferevent_flush_mode, void* self) {
    static_cast<RequestGate*>(self)->moveOutput();
    return BEV_NEED_MORE;  // not BEV_OK: that would tell evhttp "written" too early
}

void RequestGate::onOutputAdded(evbuffer*, const evbuffer_cb_info* info, void* self) {
    if (info->n_added > 0) static_cast<RequestGate*>(self)->moveOutput();
}

void RequestGate::onSocketOutput(evbuffer* buffer, const evbuffer_cb_info* info, void* self) {
    auto& gate = *static_cast<RequestGate*>(self);
    if (gate.detached_ || info->n_deleted == 0 || evbuffer_get_length(buffer) != 0) return;
    if (gate.closing_) {
        bufferevent_trigger_event(gate.filter_, BEV_EVENT_ERROR | BEV_EVENT_READING,
                                  BEV_TRIG_DEFER_CALLBACKS);
    } else if (gate.evhttpWriting_) {
        gate.evhttpWriting_ = false;
        bufferevent_trigger(gate.filter_, EV_WRITE, BEV_TRIG_DEFER_CALLBACKS);
    }
}

}  // namespace zaqard::http
