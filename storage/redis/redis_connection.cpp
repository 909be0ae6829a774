// hiredis async connection management: see redis_connection.h for the ordering rules.
#include "storage/redis/redis_connection.h"

#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <charconv>

#include "src/common/clock.h"
#include "src/common/log.h"

namespace zaqard::storage::redis {

namespace {
constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{2000};
}  // namespace

// The life of one hiredis context. It outlives the context: hiredis runs the pending
// callbacks (with NULL replies) while freeing, and they still need the FIFO.
struct RedisConnection::Session {
    RedisConnection* owner = nullptr;
    redisAsyncContext* ctx = nullptr;  // null once hiredis freed it or we are freeing it
    struct Pending {
        int64_t deadline;  // monotonic micros
        ReplyCallback done;
    };
    std::deque<Pending> pending;
    size_t handshakeLeft = 0;
    bool ready = false;
    bool gone = false;
};

RedisConnection::RedisConnection(event::Dispatcher& dispatcher, config::RedisUri uri,
                                 std::chrono::milliseconds timeout)
    : dispatcher_(dispatcher), uri_(std::move(uri)), timeout_(timeout) {
    reconnectTimer_ = dispatcher_.createTimer([this] { connect(); });
    deadlineTimer_ = dispatcher_.createTimer([this] { onDeadline(); });
    dropTimer_ = dispatcher_.createTimer([this] { drop(); });
}

RedisConnection::~RedisConnection() {
    stop();
}

void RedisConnection::setHandshake(std::function<std::vector<Command>()> handshake) {
    handshake_ = std::move(handshake);
}

void RedisConnection::setOnReady(std::function<void()> onReady) {
    onReady_ = std::move(onReady);
}

void RedisConnection::start() {
    if (running_) return;
    running_ = true;
    connect();
}

void RedisConnection::stop() {
    running_ = false;
    reconnectTimer_->disable();
    deadlineTimer_->disable();
    dropTimer_->disable();
    drop();
}

bool RedisConnection::ready() const {
    return session_ && session_->ready && !session_->gone;
}

void RedisConnection::connect() {
    if (!running_ || session_) return;
    redisAsyncContext* ctx = uri_.socketPath.empty()
                                 ? redisAsyncConnect(uri_.host.c_str(), uri_.port)
                                 : redisAsyncConnectUnix(uri_.socketPath.c_str());
    if (ctx == nullptr || ctx->err) {
        if (!reportedDown_) {
            log::warning(std::string("redis: cannot connect: ") +
                         (ctx ? ctx->errstr : "out of memory"));
            reportedDown_ = true;
        }
        if (ctx) redisAsyncFree(ctx);
        scheduleReconnect();
        return;
    }
    session_ = std::make_unique<Session>();
    session_->owner = this;
    session_->ctx = ctx;
    ctx->data = session_.get();
    redisLibeventAttach(ctx, dispatcher_.base());
    redisAsyncSetConnectCallback(ctx, &RedisConnection::onConnect);
    redisAsyncSetDisconnectCallback(ctx, &RedisConnection::onDisconnect);
    sendHandshake(*session_);
}

void RedisConnection::sendHandshake(Session& session) {
    std::vector<Command> commands;
    if (!uri_.password.empty()) {
        if (uri_.username.empty())
            commands.push_back({"AUTH", uri_.password});
        else
            commands.push_back({"AUTH", uri_.username, uri_.password});
    }
    if (uri_.db != 0) commands.push_back({"SELECT", std::to_string(uri_.db)});
    if (handshake_) {
        for (auto& command : handshake_()) commands.push_back(std::move(command));
    }
    // Something must answer before the connection counts as ready.
    if (commands.empty()) commands.push_back({"PING"});
    session.handshakeLeft = commands.size();
    Session* target = &session;
    for (const auto& command : commands) {
        std::string name = command.front();
        bool sent = send(session, command, [this, target, name](Result<RedisValue> reply) {
            if (target->gone) return;
            if (!reply.ok() || reply.value().isError()) {
                log::warning("redis: handshake " + name + " failed: " +
                             (reply.ok() ? reply.value().str : reply.error().message));
                dropTimer_->enable(std::chrono::milliseconds(0));
                return;
            }
            if (--target->handshakeLeft == 0) {
                target->ready = true;
                backoff_ = std::chrono::milliseconds(0);
                if (reportedDown_) log::info("redis: connected to " + uri_.original);
                reportedDown_ = false;
                if (onReady_) onReady_();
            }
        });
        if (!sent) {
            dropTimer_->enable(std::chrono::milliseconds(0));
            return;
        }
    }
}

namespace {

// RESP request encoding by hand into one reused buffer: hiredis' own formatter builds it
// with sdscatfmt per argument (~8 % of a post's CPU). hiredis copies the bytes it is given.
const std::string& formatCommand(const Command& args) {
    thread_local std::string buffer;
    buffer.clear();
    char digits[24];
    auto appendLine = [&](char kind, size_t n) {
        buffer += kind;
        auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
        buffer.append(digits, end);
        buffer += "\r\n";
    };
    appendLine('*', args.size());
    for (const auto& arg : args) {
        appendLine('$', arg.size());
        buffer += arg;
        buffer += "\r\n";
    }
    return buffer;
}

}  // namespace

bool RedisConnection::send(Session& session, const Command& args, ReplyCallback&& done) {
    if (session.gone || session.ctx == nullptr) return false;
    const std::string& wire = formatCommand(args);
    int rc = redisAsyncFormattedCommand(session.ctx, &RedisConnection::onReply, &session,
                                        wire.data(), wire.size());
    if (rc != REDIS_OK) return false;
    int64_t deadline = monotonicMicros() + timeout_.count() * 1000;
    session.pending.push_back({deadline, std::move(done)});
    if (!deadlineTimer_->enabled()) deadlineTimer_->enable(timeout_);
    return true;
}

void RedisConnection::command(const Command& args, ReplyCallback done) {
    if (!session_ || session_->gone) {
        failLater(std::move(done), "redis: not connected");
        return;
    }
    // send() leaves `done` untouched when hiredis refused the command.
    if (!send(*session_, args, std::move(done)))
        failLater(std::move(done), "redis: command not accepted");
}

void RedisConnection::failLater(ReplyCallback done, const char* why) {
    dispatcher_.defer([done = std::move(done), why] { done(Error{ErrorKind::Unavailable, why}); });
}

void RedisConnection::onReply(redisAsyncContext*, void* reply, void* privdata) {
    auto* session = static_cast<Session*>(privdata);
    if (session->pending.empty()) return;
    auto done = std::move(session->pending.front().done);
    session->pending.pop_front();
    if (reply == nullptr) {
        // hiredis is tearing the context down: no new command may go to it.
        session->gone = true;
        done(Error{ErrorKind::Unavailable, "redis: connection lost"});
        return;
    }
    done(RedisValue::fromHiredis(static_cast<redisReply*>(reply)));
}

void RedisConnection::onConnect(const redisAsyncContext* ctx, int status) {
    auto* session = static_cast<Session*>(ctx->data);
    if (status == REDIS_OK) return;
    // hiredis frees the context right after this callback.
    if (!session->owner->reportedDown_) {
        log::warning(std::string("redis: cannot connect: ") + ctx->errstr);
        session->owner->reportedDown_ = true;
    }
    session->gone = true;
    session->ctx = nullptr;
    session->owner->sessionGone(session);
}

void RedisConnection::onDisconnect(const redisAsyncContext* ctx, int status) {
    auto* session = static_cast<Session*>(ctx->data);
    if (status != REDIS_OK && !session->owner->reportedDown_) {
        log::warning(std::string("redis: connection lost: ") + ctx->errstr);
        session->owner->reportedDown_ = true;
    }
    session->gone = true;
    session->ctx = nullptr;
    session->owner->sessionGone(session);
}

void RedisConnection::sessionGone(Session* session) {
    if (session_.get() != session) return;
    // Callbacks of this session may still be on the stack (hiredis is freeing the context).
    dispatcher_.deferDelete(std::move(session_));
    if (running_) scheduleReconnect();
}

void RedisConnection::drop() {
    if (!session_) return;
    Session* session = session_.get();
    redisAsyncContext* ctx = session->ctx;
    session->gone = true;
    session->ctx = nullptr;
    // Runs every pending callback with a NULL reply, then onDisconnect if connected.
    if (ctx) redisAsyncFree(ctx);
    sessionGone(session);
}

void RedisConnection::scheduleReconnect() {
    if (!running_) return;
    backoff_ = backoff_.count() == 0 ? kFirstBackoff : std::min(backoff_ * 2, kMaxBackoff);
    reconnectTimer_->enable(backoff_);
}

void RedisConnection::onDeadline() {
    if (!session_ || session_->pending.empty()) return;
    int64_t now = monotonicMicros();
    int64_t head = session_->pending.front().deadline;
    if (head > now) {
        deadlineTimer_->enable(std::chrono::milliseconds((head - now + 999) / 1000));
        return;
    }
    log::warning("redis: no reply within the timeout; reconnecting");
    reportedDown_ = true;
    drop();
}

}  // namespace zaqard::storage::redis
