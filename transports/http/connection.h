// One HTTP/1.1 connection of the REST listener, on a libevent bufferevent (a socket one,
// or bufferevent_openssl on the HTTPS listener): reads and parses requests
// (request_parser.h), hands each to its owner (the server), and writes the replies in
// request order (response_serializer.h).
//
// Loop behaviour, and why:
//  - the socket stays readable for the connection's life (no enable/disable per request,
//    which cost evhttp three epoll_ctl per request); a client closing is seen at once as
//    EOF, which abandons its unanswered requests (long polling ends: api::Abandonment);
//  - pipelining: at most `maxRequestsPerWakeup` requests are started per wake-up and at most
//    that many wait for replies; a further one waits for the next loop turn (a 0 s timer);
//  - ordering: consecutive safe requests (GET, HEAD, OPTIONS) run concurrently; any other
//    waits until everything before it is answered, and nothing after it starts before its
//    answer, so a pipelining client sees the effects of its requests in order;
//  - replies: serialized into a staging buffer as they come (one out of order waits in its
//    slot), written once per loop turn by an event activated at the priority of the
//    bufferevents and hiredis (libevent runs it after the events already active in the
//    turn, e.g. all Redis replies of one read), directly with writev when the socket's
//    output is empty; only a
//    remainder the kernel did not take goes through the bufferevent (EV_WRITE, write
//    timeout);
//  - a refused request (framing, limits) is answered with Zaqar's JSON error and the
//    connection closed; when replies are still owed, the last of them says
//    "Connection: close" instead and nothing after it is read.
#pragma once

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "src/api/request.h"
#include "transports/http/request_parser.h"

namespace zaqard::http {

struct ConnectionLimits {
    ParserLimits parser;
    double headerTimeout = 10.0;  // seconds from a request's first byte; 0: none
    double bodyTimeout = 30.0;    // longest pause inside a body; 0: none
    double idleTimeout = 60.0;    // keep-alive with nothing sent; 0: none
    double writeTimeout = 60.0;   // a reply the client does not read; 0: none
    int maxRequestsPerWakeup = 16;
    size_t readAheadBytes = 256 * 1024;  // read from the socket ahead of the parser
};

class Connection;

class ConnectionOwner {
  public:
    virtual ~ConnectionOwner() = default;
    // A complete request; answer it with connection.reply(seq, ...) (any time, any order).
    // `abandonment` is abandoned when the client leaves before the answer.
    virtual void onRequest(Connection& connection, ParsedRequest&& request, uint64_t seq,
                           std::shared_ptr<api::Abandonment> abandonment) = 0;
    // A limit refused a request or closed the connection (`reason`: the metrics label).
    virtual void onRejected(const char* reason) = 0;
    // The connection is finished: the owner drops it (not from inside this call).
    virtual void onClosed(Connection& connection) = 0;
};

struct ReplyOptions {
    std::string requestId;
    bool close = false;  // draining: tell keep-alive clients to go
};

class Connection : public std::enable_shared_from_this<Connection> {
  public:
    // Takes `bev` (with its socket set, BEV_OPT_CLOSE_ON_FREE). `plainFd`: the socket for
    // direct writes, or -1 (TLS: everything goes through the bufferevent).
    Connection(event_base* base, bufferevent* bev, int plainFd, std::string peer, int peerPort,
               const ConnectionLimits& limits, ConnectionOwner& owner);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Starts reading.
    void start();
    // Answers a connection the limits refuse before reading anything: 503 and close.
    void refuseAtOnce(int status, const std::string& title, const std::string& description);
    // The reply to request `seq`; ignored after the connection closed.
    void reply(uint64_t seq, const api::Response& response, const ReplyOptions& options);
    // Graceful stop: close now when idle, else after the replies owed.
    void drain();

    std::weak_ptr<Connection> weak() { return weak_from_this(); }
    const std::string& peer() const { return peer_; }
    int peerPort() const { return peerPort_; }
    bool closed() const { return closed_; }

  private:
    struct Slot {
        uint64_t seq = 0;
        bool safe = true;      // GET, HEAD, OPTIONS: may run alongside its neighbours
        bool started = false;  // handed to the owner
        bool done = false;     // answered; its bytes are in `bytes` (or already staged)
        bool close = false;    // its reply ends the connection
        bool head = false;
        int httpMinor = 1;
        bool keepAliveHttp10 = false;
        ParsedRequest request;  // until started
        evbuffer* bytes = nullptr;
        std::shared_ptr<api::Abandonment> abandonment;
    };

    static void onRead(bufferevent*, void* self);
    static void onWrite(bufferevent*, void* self);
    static void onEvent(bufferevent*, short what, void* self);
    static void onTimer(evutil_socket_t, short, void* self);
    static void onFlush(evutil_socket_t, short, void* self);
    static void onResume(evutil_socket_t, short, void* self);

    void pump();
    void startReady();
    void refuse(const Refusal& refusal);
    void stageDone();
    void scheduleFlush();
    void flush();
    // Closes when the connection is to end and everything owed is written. True: closed.
    bool finishIfDone();
    void close();
    void stopReading();
    void rearmTimer(bool bodyProgress);

    event_base* base_;
    bufferevent* bev_;
    int plainFd_;
    std::string peer_;
    int peerPort_;
    ConnectionLimits limits_;
    ConnectionOwner& owner_;
    RequestParser parser_;
    ::event* timer_ = nullptr;
    ::event* flushEvent_ = nullptr;
    ::event* resumeEvent_ = nullptr;
    evbuffer* staged_ = nullptr;  // replies in order, not yet written

    std::deque<Slot> slots_;  // requests parsed and not yet written, in order
    size_t stagedCount_ = 0;  // leading slots whose replies are in staged_
    uint64_t nextSeq_ = 1;
    int startedThisTurn_ = 0;
    RequestParser::Phase timerFor_ = RequestParser::Phase::Idle;
    bool timerArmed_ = false;
    bool continueOwed_ = false;    // "100 Continue" once the replies before it are out
    bool readingStopped_ = false;  // EOF, a refusal, or the last reply is owed
    bool wantClose_ = false;       // close once everything owed is written
    bool dispatching_ = false;     // inside startReady (the owner may answer re-entrantly)
    bool redispatch_ = false;
    bool eof_ = false;
    bool closed_ = false;
    bool draining_ = false;
};

}  // namespace zaqard::http
