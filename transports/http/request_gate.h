// The request gate: strict HTTP/1.1 framing and the per-connection abuse limits of the
// REST listener, in front of evhttp (docs/security.md "HTTP strictness", "Limits").
//
// Why a gate and not evhttp alone: libevent 2.1's parser is lenient where request
// smuggling lives (it takes the first of two Content-Lengths, "+5" as a length, a header
// named "Content-Length " as another header, any HTTP/1.x version, TRACE/HEAD bodies as
// the next request) and has no hook between the headers and the body. Replacing evhttp
// would have meant rewriting keep-alive, replies and connection handling that the TLS,
// long-poll and console code build on. So every connection's bytes pass through a
// bufferevent filter (evhttp_set_bevcb) that parses them with llhttp -- Node's HTTP/1.1
// parser, compiled from Debian's node-llhttp -- plus the checks llhttp 8 leaves out
// (header-name tokens, obs-fold, versions, methods), and hands evhttp only what it
// re-serialises itself: one complete request at a time, canonical request line and
// headers, the body de-chunked behind its Content-Length. evhttp's own parser thus only
// ever reads the gate's output, and the two cannot disagree about where a request ends.
//
// A refused request is answered here with Zaqar's JSON error body and the connection
// closed; when evhttp still owes an answer for an earlier request on the connection, that
// answer carries "Connection: close" instead (closeAfterReply) and nothing else is read.
//
// Lifetime: the gate is the filter bufferevent's context; libevent deletes it with the
// filter. evhttp frees the filter when it frees the connection; its close callback
// (HttpServer) calls detach() first, after which the gate touches nothing.
#pragma once

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <llhttp.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace zaqard::http {

struct GateLimits {
    size_t maxHeaderBytes = 32768;       // request line + headers
    size_t maxBodyBytes = 8388608;       // 413 above, decided from Content-Length first
    double headerTimeout = 10.0;         // seconds from a request's first byte; 0: none
    double bodyTimeout = 30.0;           // longest pause inside a body; 0: none
    double idleTimeout = 60.0;           // keep-alive with nothing sent; 0: none
    double writeTimeout = 60.0;          // a reply the client does not read; 0: none
    size_t readAheadBytes = 256 * 1024;  // read from the socket ahead of the parser
};

class RequestGate;

// What the gate asks of the server that owns the listener.
class GateOwner {
  public:
    virtual ~GateOwner() = default;
    // The connection is set up (evhttp's connection and the peer's address are known):
    // true admits it; false has it answered 503 and closed (connection limits).
    virtual bool admitConnection(RequestGate& gate, evhttp_connection* connection) = 0;
};

class RequestGate {
  public:
    // Wraps `underlying` (a socket or TLS bufferevent without an fd yet; freed with the
    // filter) in the gate's filter, the bufferevent to give evhttp. Null on failure.
    static bufferevent* wrap(bufferevent* underlying, const GateLimits& limits, GateOwner& owner);

    // The peer's address without port ("127.0.0.1", "::1"), known once admitted.
    const std::string& peer() const { return peer_; }

    // Must the reply evhttp is about to send close the connection (garbage after the
    // request, a refused pipelined request)? Ask before sending it.
    bool closeAfterReply() const { return poisoned_; }
    // The server has handed evhttp its reply to the request in flight: the next request
    // (already parsed, or still to come) may go to evhttp now.
    void replied();
    // evhttp is freeing the connection (its close callback).
    void detach();

    RequestGate(const RequestGate&) = delete;
    RequestGate& operator=(const RequestGate&) = delete;

  private:
    enum class Phase { Idle, Head, Body, Ready };

    RequestGate(bufferevent* underlying, const GateLimits& limits, GateOwner& owner);
    ~RequestGate();

    static void freeContext(void* self);
    static bufferevent_filter_result filterIn(evbuffer* src, evbuffer* dst, ev_ssize_t limit,
                                              bufferevent_flush_mode mode, void* self);
    static bufferevent_filter_result filterOut(evbuffer* src, evbuffer* dst, ev_ssize_t limit,
                                               bufferevent_flush_mode mode, void* self);
    static void onOutputAdded(evbuffer* buffer, const evbuffer_cb_info* info, void* self);
    static void onSocketOutput(evbuffer* buffer, const evbuffer_cb_info* info, void* self);
    static void onAccepted(evutil_socket_t, short, void* self);
    static void onTimer(evutil_socket_t, short, void* self);

    // llhttp callbacks (the parser's data points at the gate).
    static int onMessageBegin(llhttp_t* parser);
    static int onMethod(llhttp_t* parser, const char* at, size_t length);
    static int onUrl(llhttp_t* parser, const char* at, size_t length);
    static int onHeaderField(llhttp_t* parser, const char* at, size_t length);
    static int onHeaderFieldComplete(llhttp_t* parser);
    static int onHeaderValue(llhttp_t* parser, const char* at, size_t length);
    static int onHeaderValueComplete(llhttp_t* parser);
    static int onHeadersComplete(llhttp_t* parser);
    static int onBody(llhttp_t* parser, const char* at, size_t length);
    static int onMessageComplete(llhttp_t* parser);
    static const llhttp_settings_t& settings();

    // Parses what the socket delivered; hands evhttp a complete request when it has none.
    // True when something was given to evhttp.
    bool pump();
    bool deliver();
    void moveOutput();
    // Refuses the current request: answered now, or (a request in flight) the reply to
    // that one closes the connection.
    void refuse(int status, const char* title, const std::string& description);
    void refuseParse(llhttp_errno_t error, evbuffer* src);
    // Closes once everything queued for the socket is written.
    void closeWhenFlushed();
    void stopReading();
    int fail(int status, const char* title, std::string description);
    bool countHead(size_t bytes, bool inRequestLine);
    void rearmTimer(bool bodyProgress);

    bufferevent* underlying_;
    bufferevent* filter_ = nullptr;
    GateLimits limits_;
    GateOwner& owner_;
    llhttp_t parser_;
    ::event* timer_ = nullptr;  // (zaqard::event is a namespace)
    ::event* accepted_ = nullptr;
    evbuffer_cb_entry* outputCb_ = nullptr;
    std::string peer_;

    Phase phase_ = Phase::Idle;
    Phase timerFor_ = Phase::Ready;  // what the timer is armed for (Ready: not armed)
    bool inFlight_ = false;          // evhttp has a request not yet answered
    bool poisoned_ = false;          // the in-flight reply must close the connection
    bool closing_ = false;           // refused: close once the socket output is written
    bool detached_ = false;          // evhttp freed the connection
    bool evhttpWriting_ = false;     // evhttp's bytes queued; its write callback is owed
    bool continuePending_ = false;   // "100 Continue" owed once evhttp is idle

    // The request being parsed.
    std::string method_;
    std::string url_;
    std::string field_;
    std::string value_;
    std::vector<std::pair<std::string, std::string>> headers_;
    size_t headBytes_ = 0;
    bool expectContinue_ = false;
    int transferEncodings_ = 0;
    evbuffer* body_ = nullptr;
    evbuffer* ready_ = nullptr;  // the canonical request waiting for evhttp
    // Set by a callback that refused: llhttp stops with HPE_USER.
    int refusedStatus_ = 0;
    const char* refusedTitle_ = "";
    std::string refusedDescription_;
};

}  // namespace zaqard::http
