// One hiredis async connection driven by a shard's event_base, with what hiredis 0.14
// lacks: per-call deadlines, reconnect with capped exponential backoff, and a handshake
// (AUTH, SELECT, FUNCTION LOAD) replayed on every new connection.
//
// Ordering rules (the loop's view of a connection):
//  1. A command is accepted while a connection exists (connecting, handshaking or
//     ready); hiredis buffers it behind the handshake, and Redis answers in order.
//  2. With no connection (waiting for the backoff timer) a command fails with
//     Unavailable at once, from a deferred callback, never inside the caller's stack.
//  3. Replies come back in command order, so the pending FIFO is also the deadline
//     order: one timer watches its head. A missed deadline drops the connection, which
//     fails every pending command with Unavailable and reconnects.
//  4. redisAsyncFree() is only called from our own timers, never from a reply callback;
//     a hiredis context torn down by hiredis itself (EOF, I/O error) is never freed again.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "src/common/result.h"
#include "src/config/config.h"
#include "src/event/dispatcher.h"
#include "storage/redis/reply.h"

struct redisAsyncContext;

namespace zaqard::storage::redis {

using Command = std::vector<std::string>;
// Redis error replies arrive as values (RedisValue::Type::Error); Error{Unavailable}
// means no answer: not connected, connection lost, or deadline missed.
using ReplyCallback = std::function<void(Result<RedisValue>)>;

class RedisConnection {
  public:
    RedisConnection(event::Dispatcher& dispatcher, config::RedisUri uri,
                    std::chrono::milliseconds timeout);
    ~RedisConnection();
    RedisConnection(const RedisConnection&) = delete;
    RedisConnection& operator=(const RedisConnection&) = delete;

    // Commands sent first on every new connection, after AUTH and SELECT. Any error
    // reply among them drops the connection (and a later attempt tries again).
    void setHandshake(std::function<std::vector<Command>()> handshake);
    // Called each time a connection completes its handshake.
    void setOnReady(std::function<void()> onReady);

    void start();
    // Disconnects for good: pending commands fail with Unavailable.
    void stop();

    bool ready() const;
    void command(const Command& args, ReplyCallback done);

  private:
    struct Session;
    static void onConnect(const redisAsyncContext* ctx, int status);
    static void onDisconnect(const redisAsyncContext* ctx, int status);
    static void onReply(redisAsyncContext* ctx, void* reply, void* privdata);

    void connect();
    // Takes `done` (moves from it) only when hiredis accepted the command.
    bool send(Session& session, const Command& args, ReplyCallback&& done);
    void sendHandshake(Session& session);
    void sessionGone(Session* session);
    void drop();
    void scheduleReconnect();
    void onDeadline();
    void failLater(ReplyCallback done, const char* why);

    event::Dispatcher& dispatcher_;
    config::RedisUri uri_;
    std::chrono::milliseconds timeout_;
    std::function<std::vector<Command>()> handshake_;
    std::function<void()> onReady_;
    std::unique_ptr<Session> session_;
    event::TimerPtr reconnectTimer_;
    event::TimerPtr deadlineTimer_;
    event::TimerPtr dropTimer_;
    std::chrono::milliseconds backoff_{0};
    bool running_ = false;
    bool reportedDown_ = false;
};

}  // namespace zaqard::storage::redis
