#include "transports/http/connection.h"

#include <sys/socket.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "src/common/log.h"
#include "transports/http/content_negotiation.h"
#include "transports/http/response_serializer.h"

namespace zaqard::http {

namespace {

constexpr const char* kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// What zaqard serves at all (a 405 from the parser does not route, so it names no path's).
constexpr const char* kServedMethods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
// Libevent's default priority with the dispatcher's two (dispatcher.h), which bufferevents
// and hiredis' events have too: activated from one of them, the flush runs after the
// events already active in this turn, within the same turn.
constexpr int kAfterIoPriority = 1;

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

bool isSafe(const std::string& method) {
    return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

}  // namespace

Connection::Connection(event_base* base, bufferevent* bev, int plainFd, std::string peer,
                       int peerPort, const ConnectionLimits& limits, ConnectionOwner& owner)
    : base_(base),
      bev_(bev),
      plainFd_(plainFd),
      peer_(std::move(peer)),
      peerPort_(peerPort),
      limits_(limits),
      owner_(owner),
      parser_(limits.parser) {
    if (limits_.maxRequestsPerWakeup < 1) limits_.maxRequestsPerWakeup = 1;
    timer_ = evtimer_new(base_, &Connection::onTimer, this);
    flushEvent_ = event_new(base_, -1, 0, &Connection::onFlush, this);
    if (flushEvent_) event_priority_set(flushEvent_, kAfterIoPriority);
    resumeEvent_ = evtimer_new(base_, &Connection::onResume, this);
    staged_ = evbuffer_new();
}

Connection::~Connection() {
    for (Slot& slot : slots_)
        if (slot.bytes) evbuffer_free(slot.bytes);
    if (timer_) event_free(timer_);
    if (flushEvent_) event_free(flushEvent_);
    if (resumeEvent_) event_free(resumeEvent_);
    if (staged_) evbuffer_free(staged_);
    if (bev_) bufferevent_free(bev_);
}

void Connection::start() {
    if (!timer_ || !flushEvent_ || !resumeEvent_ || !staged_) {
        close();
        return;
    }
    bufferevent_setcb(bev_, &Connection::onRead, &Connection::onWrite, &Connection::onEvent, this);
    // Read ahead of the parser only this far: a connection whose requests wait for replies
    // stops being read instead of filling memory.
    bufferevent_setwatermark(bev_, EV_READ, 0, limits_.readAheadBytes);
    if (limits_.writeTimeout > 0) {
        timeval tv = toTimeval(limits_.writeTimeout);
        bufferevent_set_timeouts(bev_, nullptr, &tv);  // an unread reply: closed
    }
    bufferevent_enable(bev_, EV_READ);
    rearmTimer(false);
}

void Connection::refuseAtOnce(int status, const std::string& title,
                              const std::string& description) {
    bufferevent_setcb(bev_, nullptr, &Connection::onWrite, &Connection::onEvent, this);
    Refusal refusal;
    refusal.status = status;
    refusal.title = title;
    refusal.description = description;
    refuse(refusal);
}

// ---- reading -----------------------------------------------------------------------

void Connection::onRead(bufferevent*, void* self) {
    auto& connection = *static_cast<Connection*>(self);
    connection.startedThisTurn_ = 0;
    connection.pump();
}

void Connection::onResume(evutil_socket_t, short, void* self) {
    auto& connection = *static_cast<Connection*>(self);
    connection.startedThisTurn_ = 0;
    connection.pump();
    connection.finishIfDone();
}

void Connection::pump() {
    if (closed_ || readingStopped_) return;
    evbuffer* in = bufferevent_get_input(bev_);
    const size_t budget = static_cast<size_t>(limits_.maxRequestsPerWakeup);
    bool bodyProgress = false;
    // Each pass consumes bytes or ends a request; the bound is a safety net.
    for (int pass = 0; pass < 100000 && !readingStopped_; ++pass) {
        if (evbuffer_get_length(in) == 0) break;
        if (slots_.size() >= budget) break;  // resumed when replies are written (flush)
        if (startedThisTurn_ >= limits_.maxRequestsPerWakeup) {
            // This connection had its share of the wake-up: the rest waits a loop turn.
            if (!evtimer_pending(resumeEvent_, nullptr)) {
                timeval now{0, 0};
                evtimer_add(resumeEvent_, &now);
            }
            break;
        }
        evbuffer_iovec chunk;
        if (evbuffer_peek(in, -1, nullptr, &chunk, 1) < 1) break;
        const auto before = parser_.phase();
        size_t used = 0;
        auto result = parser_.feed(static_cast<const char*>(chunk.iov_base), chunk.iov_len, used);
        if (before == RequestParser::Phase::Body || parser_.phase() == RequestParser::Phase::Body)
            bodyProgress = true;
        evbuffer_drain(in, used);
        if (result == RequestParser::Result::Refused) {
            refuse(parser_.refusal());
            break;
        }
        if (parser_.continueWanted()) {
            parser_.clearContinue();
            continueOwed_ = true;
            stageDone();  // sends it now when no reply is owed before it
        }
        if (result != RequestParser::Result::Request) continue;
        continueOwed_ = false;  // the body came anyway
        ++startedThisTurn_;
        Slot slot;
        slot.seq = nextSeq_++;
        slot.request = parser_.take();
        slot.safe = isSafe(slot.request.method);
        slot.head = slot.request.isHead;
        slot.httpMinor = slot.request.httpMinor;
        slot.keepAliveHttp10 = slot.request.httpMinor == 0 && slot.request.keepAlive;
        slot.close = !slot.request.keepAlive;
        slot.abandonment = std::make_shared<api::Abandonment>();
        if (eof_) slot.abandonment->abandon();  // its client has left already
        const bool last = slot.close;
        slots_.push_back(std::move(slot));
        if (last) {
            // "Connection: close" (or HTTP/1.0): nothing after this request is read.
            stopReading();
            break;
        }
    }
    if (eof_ && !readingStopped_ && evbuffer_get_length(in) == 0) readingStopped_ = true;
    startReady();
    rearmTimer(bodyProgress);
}

void Connection::startReady() {
    if (dispatching_) {
        redispatch_ = true;
        return;
    }
    dispatching_ = true;
    do {
        redispatch_ = false;
        bool unsafePending = false;  // an earlier request that others must wait for
        bool anyPending = false;
        for (size_t i = 0; i < slots_.size() && !closed_; ++i) {
            Slot& slot = slots_[i];
            if (!slot.started) {
                if (unsafePending || (!slot.safe && anyPending)) break;
                slot.started = true;
                ParsedRequest request = std::move(slot.request);
                std::shared_ptr<api::Abandonment> abandonment = slot.abandonment;
                const uint64_t seq = slot.seq;
                // May answer at once (reply() re-enters: it marks and stages, never pops).
                owner_.onRequest(*this, std::move(request), seq, std::move(abandonment));
            }
            // `slot` stays valid: slots are only popped by flush().
            if (!slots_[i].done) {
                anyPending = true;
                if (!slots_[i].safe) unsafePending = true;
            }
        }
    } while (redispatch_ && !closed_);
    dispatching_ = false;
}

void Connection::stopReading() {
    readingStopped_ = true;
    if (!bev_) return;
    bufferevent_disable(bev_, EV_READ);
    evbuffer* in = bufferevent_get_input(bev_);
    evbuffer_drain(in, evbuffer_get_length(in));
}

void Connection::refuse(const Refusal& refusal) {
    if (refusal.reason) owner_.onRejected(refusal.reason);
    log::debug("http: refused a request from " + peer_ + ": " + std::to_string(refusal.status) +
               " " + refusal.description);
    stopReading();
    wantClose_ = true;
    if (!slots_.empty() && !slots_.back().done) {
        // A reply is still owed: that one says "Connection: close" and nothing follows it.
        slots_.back().close = true;
        return;
    }
    stageDone();
    api::Response response;
    response.status = refusal.status;
    response.contentType = errorContentType(ErrorFormat::Json);
    response.rawBody = renderError(ErrorFormat::Json, refusal.title, refusal.description);
    if (refusal.status == 405) response.addHeader("Allow", kServedMethods);
    ReplyFraming framing;
    framing.close = true;
    continueOwed_ = false;
    serializeResponse(staged_, response, framing);
    scheduleFlush();
}

// ---- replies -----------------------------------------------------------------------

void Connection::reply(uint64_t seq, const api::Response& response, const ReplyOptions& options) {
    if (closed_ || slots_.empty() || seq < slots_.front().seq) return;
    const size_t index = static_cast<size_t>(seq - slots_.front().seq);
    if (index >= slots_.size()) return;
    Slot& slot = slots_[index];
    if (slot.done || !slot.started) return;
    slot.done = true;
    // Draining: the last request read says goodbye; the ones before it are answered as
    // usual (their replies come first on the wire).
    if (options.close && index + 1 == slots_.size()) {
        slot.close = true;
        stopReading();
    }
    ReplyFraming framing;
    framing.httpMinor = slot.httpMinor;
    framing.head = slot.head;
    framing.close = slot.close;
    framing.keepAliveHttp10 = slot.keepAliveHttp10 && !slot.close;
    framing.requestId = &options.requestId;
    if (slot.close) wantClose_ = true;
    slot.abandonment.reset();
    if (index == stagedCount_) {
        serializeResponse(staged_, response, framing);
        ++stagedCount_;
        stageDone();
    } else {
        // Answered before a request ahead of it: waits in its slot.
        slot.bytes = evbuffer_new();
        if (slot.bytes) serializeResponse(slot.bytes, response, framing);
    }
    scheduleFlush();
    startReady();
}

// Moves the replies that are next in order into the staging buffer.
void Connection::stageDone() {
    while (stagedCount_ < slots_.size() && slots_[stagedCount_].done) {
        Slot& slot = slots_[stagedCount_];
        if (slot.bytes) {
            evbuffer_add_buffer(staged_, slot.bytes);
            evbuffer_free(slot.bytes);
            slot.bytes = nullptr;
        }
        ++stagedCount_;
    }
    if (continueOwed_ && stagedCount_ == slots_.size() && !readingStopped_) {
        continueOwed_ = false;
        evbuffer_add(staged_, kContinue, std::strlen(kContinue));
        scheduleFlush();
    }
}

void Connection::scheduleFlush() {
    if (!closed_ && flushEvent_) event_active(flushEvent_, EV_TIMEOUT, 1);
}

void Connection::onFlush(evutil_socket_t, short, void* self) {
    static_cast<Connection*>(self)->flush();
}

void Connection::flush() {
    if (closed_) return;
    // What is staged leaves now: its slots are finished.
    for (size_t i = 0; i < stagedCount_ && !slots_.empty(); ++i) slots_.pop_front();
    stagedCount_ = 0;
    evbuffer* out = bufferevent_get_output(bev_);
    if (evbuffer_get_length(staged_) > 0) {
        if (plainFd_ >= 0 && evbuffer_get_length(out) == 0) {
            // Straight to the socket (one writev): no EV_WRITE to arm when it all fits.
            int written = evbuffer_write(staged_, plainFd_);
            if (written < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                log::debug("http: write to " + peer_ + " failed: " + std::strerror(errno));
                close();
                return;
            }
        }
        // The rest (TLS: everything) through the bufferevent, with its write timeout.
        if (evbuffer_get_length(staged_) > 0) evbuffer_add_buffer(out, staged_);
    }
    if (finishIfDone()) return;
    // Room for more of a pipelining client's requests.
    if (!readingStopped_ && slots_.size() < static_cast<size_t>(limits_.maxRequestsPerWakeup) &&
        evbuffer_get_length(bufferevent_get_input(bev_)) > 0) {
        pump();
        if (finishIfDone()) return;  // after EOF, the last bytes were an unfinished request
    }
    rearmTimer(false);
}

void Connection::onWrite(bufferevent*, void* self) {
    static_cast<Connection*>(self)->finishIfDone();
}

bool Connection::finishIfDone() {
    if (closed_) return true;
    if (!wantClose_ && !(eof_ && readingStopped_)) return false;
    if (!slots_.empty() || evbuffer_get_length(staged_) > 0) return false;
    if (bev_ && evbuffer_get_length(bufferevent_get_output(bev_)) > 0) return false;
    close();
    return true;
}

void Connection::drain() {
    draining_ = true;
    if (slots_.empty() && parser_.phase() == RequestParser::Phase::Idle) {
        wantClose_ = true;
        stopReading();
        finishIfDone();
    }
}

// ---- events, timers, closing -------------------------------------------------------

void Connection::onEvent(bufferevent*, short what, void* self) {
    auto& connection = *static_cast<Connection*>(self);
    if (what == BEV_EVENT_CONNECTED) return;  // the TLS handshake is done
    if (what & BEV_EVENT_EOF) {
        // The client closed (or half-closed) its side: what it sent is still served, its
        // unanswered requests are abandoned (a long poll ends now).
        connection.eof_ = true;
        connection.startedThisTurn_ = 0;
        connection.pump();
        std::vector<std::shared_ptr<api::Abandonment>> left;
        for (Slot& slot : connection.slots_)
            if (!slot.done && slot.abandonment) left.push_back(slot.abandonment);
        for (auto& abandonment : left) abandonment->abandon();
        if (!connection.closed_ && evbuffer_get_length(bufferevent_get_input(connection.bev_)) == 0)
            connection.readingStopped_ = true;
        connection.finishIfDone();
        return;
    }
    if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_WRITING)) {
        log::debug("http: closing a connection from " + connection.peer_ +
                   " (reply not read in time)");
        connection.owner_.onRejected("write_timeout");
    }
    connection.close();  // an error, a TLS failure, or the write timeout
}

void Connection::rearmTimer(bool bodyProgress) {
    if (closed_ || !timer_) return;
    using Phase = RequestParser::Phase;
    const Phase phase = parser_.phase();
    bool waitingForUs = !slots_.empty() || evbuffer_get_length(staged_) > 0;
    if (readingStopped_ || (phase == Phase::Idle && waitingForUs)) {
        if (timerArmed_) event_del(timer_);
        timerArmed_ = false;
        return;
    }
    // Head: a deadline from its first byte (slow headers). Body: inactivity. Idle: from the
    // last reply (or the accept).
    if (timerArmed_ && phase == timerFor_ && !(phase == Phase::Body && bodyProgress)) return;
    timerFor_ = phase;
    double seconds = phase == Phase::Idle   ? limits_.idleTimeout
                     : phase == Phase::Head ? limits_.headerTimeout
                                            : limits_.bodyTimeout;
    if (seconds <= 0) {
        if (timerArmed_) event_del(timer_);
        timerArmed_ = false;
        return;
    }
    timeval tv = toTimeval(seconds);
    event_add(timer_, &tv);
    timerArmed_ = true;
}

void Connection::onTimer(evutil_socket_t, short, void* self) {
    auto& connection = *static_cast<Connection*>(self);
    connection.timerArmed_ = false;
    if (connection.closed_ || connection.readingStopped_) return;
    using Phase = RequestParser::Phase;
    const Phase phase = connection.timerFor_;
    log::debug("http: closing a connection from " + connection.peer_ + " (" +
               (phase == Phase::Idle   ? "idle"
                : phase == Phase::Head ? "headers too slow"
                                       : "body too slow") +
               ")");
    if (phase == Phase::Head) connection.owner_.onRejected("header_timeout");
    if (phase == Phase::Body) connection.owner_.onRejected("body_timeout");
    connection.stopReading();
    connection.wantClose_ = true;
    connection.finishIfDone();
}

void Connection::close() {
    if (closed_) return;
    closed_ = true;
    if (timer_) event_del(timer_);
    if (flushEvent_) event_del(flushEvent_);
    if (resumeEvent_) event_del(resumeEvent_);
    // The socket goes now (libevent allows freeing a bufferevent from its own callback).
    // Unread bytes in the kernel's buffer would turn the close into a reset, which can
    // destroy the last reply (or TLS alert) before the client reads it: read them first.
    if (bev_) {
        evutil_socket_t fd = bufferevent_getfd(bev_);
        char sink[4096];
        for (int i = 0; fd >= 0 && i < 16; ++i)
            if (recv(fd, sink, sizeof sink, MSG_DONTWAIT) <= 0) break;
        bufferevent_free(bev_);
        bev_ = nullptr;
    }
    std::vector<std::shared_ptr<api::Abandonment>> left;
    for (Slot& slot : slots_)
        if (!slot.done && slot.abandonment) left.push_back(slot.abandonment);
    for (auto& abandonment : left) abandonment->abandon();  // replies are ignored now
    owner_.onClosed(*this);
}

}  // namespace zaqard::http
