// One hiredis async connection with per-command deadlines: see hiredis_session.h for the
// ordering rules.
#include "storage/redis/client/hiredis_session.h"

#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <charconv>

#include "src/common/clock.h"
#include "src/metrics/record.h"
#include "storage/redis/client/tls_relay.h"

namespace zaqard::storage::redis {

namespace {

// RESP request encoding by hand into one reused buffer: hiredis' own formatter builds it
// with sdscatfmt per argument (~8 % of a post's CPU). hiredis copies the bytes it is given.
const std::string& formatCommand(const std::vector<std::string>& args) {
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

HiredisSession::HiredisSession(event::Dispatcher& dispatcher, std::chrono::milliseconds timeout)
    : dispatcher_(dispatcher), timeout_(timeout) {
    deadlineTimer_ = dispatcher_.createTimer([this] { onDeadline(); });
}

HiredisSession::~HiredisSession() {
    gone_callback_ = nullptr;  // the owner is going away or already let go of us
    close("session destroyed");
}

bool HiredisSession::open(const Endpoint& endpoint, std::string& error) {
    endpoint_ = endpoint;
    redisAsyncContext* ctx = connectRedis(dispatcher_, endpoint, relay_, error);
    if (ctx == nullptr) {
        gone_ = true;
        return false;
    }
    ctx_ = ctx;
    ctx->data = this;
    redisLibeventAttach(ctx, dispatcher_.base());
    redisAsyncSetConnectCallback(ctx, &HiredisSession::onConnect);
    redisAsyncSetDisconnectCallback(ctx, &HiredisSession::onDisconnect);
    return true;
}

bool HiredisSession::send(const Command& command, ReplyCallback&& done) {
    if (!usable()) return false;
    const std::string& wire = formatCommand(command.args);
    int rc =
        redisAsyncFormattedCommand(ctx_, &HiredisSession::onReply, this, wire.data(), wire.size());
    if (rc != REDIS_OK) return false;
    // Redis answers in order: a command cannot be answered before the one ahead of it, and
    // one that blocks on purpose (WAIT) blocks after it, so its own time adds on top.
    const int64_t sent = monotonicMicros();
    int64_t deadline = sent + timeout_.count() * 1000;
    if (!pending_.empty()) deadline = std::max(deadline, pending_.back().deadline);
    deadline += command.extraTime.count() * 1000;
    SlowCallLabel label;
    if (slowCallWarnings() && !command.args.empty()) {
        const bool fcall = command.args[0] == "FCALL" && command.args.size() > 1;
        label = labelFor(command.args[0], fcall ? &command.args[1] : nullptr);
    }
    pending_.push_back({deadline, sent, std::move(done), std::move(label)});
    if (!deadlineTimer_->enabled()) deadlineTimer_->enable(timeout_ + command.extraTime);
    return true;
}

void HiredisSession::close(const std::string& why) {
    deadlineTimer_->disable();
    redisAsyncContext* ctx = ctx_;
    ctx_ = nullptr;
    // Runs every pending callback with a NULL reply, then onDisconnect if connected.
    if (ctx) redisAsyncFree(ctx);
    markGone(why);
}

void HiredisSession::markGone(const std::string& why) {
    ctx_ = nullptr;
    if (gone_ && !gone_callback_) return;
    gone_ = true;
    deadlineTimer_->disable();
    auto gone = std::move(gone_callback_);
    gone_callback_ = nullptr;
    if (gone) gone(why);
}

void HiredisSession::onReply(redisAsyncContext*, void* reply, void* privdata) {
    auto* self = static_cast<HiredisSession*>(privdata);
    if (self->pending_.empty()) return;
    auto done = std::move(self->pending_.front().done);
    const int64_t sent = self->pending_.front().sent;
    SlowCallLabel label = std::move(self->pending_.front().label);
    self->pending_.pop_front();
    if (reply == nullptr) {
        // hiredis is tearing the context down: no new command may go to it.
        self->gone_ = true;
        metrics::redisError(self->metricsSeries_, metrics::RedisError::Unavailable);
        done(Error{ErrorKind::Unavailable, "redis: connection lost"});
        return;
    }
    if (self->poisoned_) {
        done(Error{ErrorKind::Unavailable, "redis: connection is being dropped"});
        return;
    }
    if (metrics::kEnabled || !label.command.empty()) {
        const int64_t took = monotonicMicros() - sent;
        metrics::redisCommand(self->metricsSeries_, took);
        if (!label.command.empty() && took >= slowCallThreshold().count())
            warnSlowCall(label, self->endpoint_.describe(), took);
    }
    RedisValue value = RedisValue::fromHiredis(static_cast<redisReply*>(reply));
    if (value.isError()) metrics::redisError(self->metricsSeries_, metrics::RedisError::Reply);
    if (value.isError() && self->errorWatch_) self->errorWatch_(value);
    done(std::move(value));
}

void HiredisSession::onConnect(const redisAsyncContext* ctx, int status) {
    auto* self = static_cast<HiredisSession*>(ctx->data);
    if (status == REDIS_OK) {
        self->connected_ = true;
        return;
    }
    // hiredis frees the context right after this callback (pending commands fail then).
    self->markGone(std::string("cannot connect to ") + self->endpoint_.describe() + ": " +
                   ctx->errstr);
}

void HiredisSession::onDisconnect(const redisAsyncContext* ctx, int status) {
    auto* self = static_cast<HiredisSession*>(ctx->data);
    self->markGone(status == REDIS_OK ? std::string("connection closed")
                                      : std::string("connection to ") + self->endpoint_.describe() +
                                            " lost: " + ctx->errstr);
}

void HiredisSession::onDeadline() {
    if (pending_.empty() || !usable()) return;
    int64_t now = monotonicMicros();
    int64_t head = pending_.front().deadline;
    if (head > now) {
        deadlineTimer_->enable(std::chrono::milliseconds((head - now + 999) / 1000));
        return;
    }
    close("no reply from " + endpoint_.describe() + " within the timeout");
}

}  // namespace zaqard::storage::redis
