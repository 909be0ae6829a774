// One hiredis async connection (a redisAsyncContext on the dispatcher's event_base) and
// the replies it owes, with what hiredis 0.14 lacks: a deadline per command.
//
// Ordering rules (the loop's view of a session):
//  1. Replies come back in command order, so the pending FIFO is answered from its head.
//     Each entry's deadline is at least its predecessor's (a reply cannot come before the
//     one ahead of it), plus the command's extraTime (WAIT blocks after the commands ahead
//     of it), so the FIFO is also the deadline order: one timer watches its head. A missed
//     deadline closes the session.
//  2. Closing answers every pending command with Unavailable; so does hiredis tearing the
//     context down (EOF, I/O error): no callback is ever lost or run twice.
//  3. redisAsyncFree() is only called from close(), which the owner calls from a timer or
//     its own method, never from a reply callback; a context torn down by hiredis itself
//     is never freed again.
//  4. The session outlives its context: hiredis runs pending callbacks (with NULL replies)
//     while freeing, and they still need the FIFO. `gone` tells the owner, once, that the
//     connection is over; the owner then frees the session with deferDelete().
//  5. poison(): from then on every reply is withheld and answered Unavailable (a failed
//     handshake step: what the server answers after it must not reach a caller).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "src/event/dispatcher.h"
#include "storage/redis/client/endpoint.h"
#include "storage/redis/client/redis_client.h"
#include "storage/redis/client/slow_call.h"

struct redisAsyncContext;

namespace zaqard::storage::redis {

class TlsRelay;

class HiredisSession {
  public:
    HiredisSession(event::Dispatcher& dispatcher, std::chrono::milliseconds timeout);
    ~HiredisSession();
    HiredisSession(const HiredisSession&) = delete;
    HiredisSession& operator=(const HiredisSession&) = delete;

    // `gone(why)` runs once when the connection is over (lost, refused, timed out or
    // closed), possibly inside a hiredis callback: free the session with deferDelete().
    void setGoneHandler(std::function<void(const std::string& why)> gone) {
        gone_callback_ = std::move(gone);
    }
    // Starts connecting; false + `error` when hiredis refused at once (no `gone` then).
    bool open(const Endpoint& endpoint, std::string& error);
    // Queues a command (sent once connected). Takes `done` (moves from it) only when
    // hiredis accepted the command; false leaves it untouched.
    bool send(const Command& command, ReplyCallback&& done);
    void close(const std::string& why);
    void poison() { poisoned_ = true; }

    bool usable() const { return !gone_ && ctx_ != nullptr; }
    bool connected() const { return connected_; }
    size_t pending() const { return pending_.size(); }
    const Endpoint& endpoint() const { return endpoint_; }

    // Called for every error reply (before its callback): the Sentinel client watches
    // for READONLY, the sign of a master turned replica.
    void setErrorWatch(std::function<void(const RedisValue&)> watch) {
        errorWatch_ = std::move(watch);
    }
    // Where this session's commands count in the Redis metrics (metrics::redisSeries);
    // -1 (the default): not counted.
    void setMetricsSeries(int series) { metricsSeries_ = series; }

  private:
    struct Pending {
        int64_t deadline;  // monotonic micros
        int64_t sent;      // monotonic micros
        ReplyCallback done;
        SlowCallLabel label;  // empty unless slow-call warnings are on
    };
    static void onConnect(const redisAsyncContext* ctx, int status);
    static void onDisconnect(const redisAsyncContext* ctx, int status);
    static void onReply(redisAsyncContext* ctx, void* reply, void* privdata);
    void onDeadline();
    void markGone(const std::string& why);

    event::Dispatcher& dispatcher_;
    std::chrono::milliseconds timeout_;
    std::function<void(const std::string&)> gone_callback_;
    std::function<void(const RedisValue&)> errorWatch_;
    Endpoint endpoint_;
    std::unique_ptr<TlsRelay> relay_;   // rediss:// only: the TLS side of ctx_
    redisAsyncContext* ctx_ = nullptr;  // null once hiredis freed it or we are freeing it
    std::deque<Pending> pending_;
    event::TimerPtr deadlineTimer_;
    bool connected_ = false;
    bool gone_ = false;
    bool poisoned_ = false;
    int metricsSeries_ = -1;
};

}  // namespace zaqard::storage::redis
