// ChannelSubscriber: a self-healing SUBSCRIBE; see channel_subscriber.h.
//
// hiredis 0.14 in subscribed mode: the AUTH reply still comes through the regular
// callback queue (it is answered before any pushed message); SUBSCRIBE's callback is
// kept per channel and runs for the "subscribe" confirmation and every "message", and
// with a NULL reply when the context is freed.
#include "storage/redis/client/channel_subscriber.h"

#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>

#include "src/common/log.h"
#include "storage/redis/client/tls_relay.h"

namespace zaqard::storage::redis {

namespace {
constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{2000};
}  // namespace

ChannelSubscriber::ChannelSubscriber(event::Dispatcher& dispatcher,
                                     std::shared_ptr<Locator> locator, Credentials credentials,
                                     std::chrono::milliseconds timeout,
                                     std::vector<std::string> channels, MessageHandler onMessage,
                                     std::string name)
    : dispatcher_(dispatcher),
      locator_(std::move(locator)),
      credentials_(std::move(credentials)),
      timeout_(timeout),
      channels_(std::move(channels)),
      onMessage_(std::move(onMessage)),
      name_(std::move(name)) {
    reconnectTimer_ = dispatcher_.createTimer([this] { connect(); });
    checkTimer_ = dispatcher_.createTimer([this] {
        if (authFailed_)
            drop("AUTH failed");
        else if (!active())
            drop("no SUBSCRIBE confirmation within the timeout");
    });
}

ChannelSubscriber::~ChannelSubscriber() {
    stop();
}

void ChannelSubscriber::start() {
    if (running_) return;
    running_ = true;
    connect();
}

void ChannelSubscriber::stop() {
    running_ = false;
    reconnectTimer_->disable();
    checkTimer_->disable();
    drop("stopped");
}

void ChannelSubscriber::connect() {
    if (!running_ || ctx_ || locating_) return;
    locating_ = true;
    std::weak_ptr<bool> alive = alive_;
    locator_->locate([this, alive](Result<Endpoint> found) {
        if (alive.expired()) return;
        locating_ = false;
        if (!running_ || ctx_) return;
        if (!found.ok()) return lost(found.error().message);
        open(found.value());
    });
}

void ChannelSubscriber::open(const Endpoint& endpoint) {
    endpoint_ = endpoint;
    std::string why;
    redisAsyncContext* ctx = connectRedis(dispatcher_, endpoint, relay_, why);
    if (ctx == nullptr) return lost("cannot connect to " + endpoint.describe() + ": " + why);
    ctx_ = ctx;
    authFailed_ = false;
    subscribed_ = 0;
    ctx->data = this;
    redisLibeventAttach(ctx, dispatcher_.base());
    redisAsyncSetConnectCallback(ctx, &ChannelSubscriber::onConnect);
    redisAsyncSetDisconnectCallback(ctx, &ChannelSubscriber::onDisconnect);
    if (!credentials_.password.empty()) {
        std::vector<std::string> auth{"AUTH"};
        if (!credentials_.username.empty()) auth.push_back(credentials_.username);
        auth.push_back(credentials_.password);
        std::vector<const char*> argv;
        std::vector<size_t> lengths;
        for (const auto& arg : auth) {
            argv.push_back(arg.data());
            lengths.push_back(arg.size());
        }
        redisAsyncCommandArgv(ctx, &ChannelSubscriber::onAuth, this, static_cast<int>(argv.size()),
                              argv.data(), lengths.data());
    }
    std::vector<const char*> argv{"SUBSCRIBE"};
    std::vector<size_t> lengths{9};
    for (const auto& channel : channels_) {
        argv.push_back(channel.data());
        lengths.push_back(channel.size());
    }
    redisAsyncCommandArgv(ctx, &ChannelSubscriber::onMessage, this, static_cast<int>(argv.size()),
                          argv.data(), lengths.data());
    checkTimer_->enable(timeout_);
}

void ChannelSubscriber::onConnect(const redisAsyncContext* ctx, int status) {
    auto* self = static_cast<ChannelSubscriber*>(ctx->data);
    if (status == REDIS_OK || self->ctx_ != ctx) return;
    // hiredis frees a context whose connect failed.
    self->ctx_ = nullptr;
    self->lost("cannot connect to " + self->endpoint_.describe() + ": " + ctx->errstr);
}

void ChannelSubscriber::onDisconnect(const redisAsyncContext* ctx, int) {
    auto* self = static_cast<ChannelSubscriber*>(ctx->data);
    if (self->ctx_ != ctx) return;  // we are freeing it (drop)
    self->ctx_ = nullptr;
    self->lost("connection to " + self->endpoint_.describe() + " lost: " + ctx->errstr);
}

void ChannelSubscriber::onAuth(redisAsyncContext* ctx, void* r, void*) {
    auto* self = static_cast<ChannelSubscriber*>(ctx->data);
    auto* reply = static_cast<redisReply*>(r);
    if (!reply || reply->type != REDIS_REPLY_ERROR || self->ctx_ != ctx) return;
    log::warning(self->name_ + ": " + self->endpoint_.describe() +
                 ": AUTH failed: " + std::string(reply->str, reply->len));
    self->reportedDown_ = true;
    self->authFailed_ = true;
    self->checkTimer_->enable(std::chrono::milliseconds(0));
}

void ChannelSubscriber::onMessage(redisAsyncContext* ctx, void* r, void*) {
    auto* self = static_cast<ChannelSubscriber*>(ctx->data);
    auto* reply = static_cast<redisReply*>(r);
    if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3 || self->ctx_ != ctx)
        return;
    std::string_view kind(reply->element[0]->str ? reply->element[0]->str : "",
                          reply->element[0]->len);
    if (kind == "subscribe") {
        if (++self->subscribed_ == self->channels_.size()) {
            self->checkTimer_->disable();
            self->backoff_ = std::chrono::milliseconds(0);
            if (self->reportedDown_)
                log::info(self->name_ + ": subscribed on " + self->endpoint_.describe());
            self->reportedDown_ = false;
        }
        return;
    }
    if (kind != "message" || reply->element[2]->type != REDIS_REPLY_STRING) return;
    std::string channel(reply->element[1]->str ? reply->element[1]->str : "",
                        reply->element[1]->len);
    self->onMessage_(channel, std::string_view(reply->element[2]->str, reply->element[2]->len));
}

void ChannelSubscriber::drop(const std::string& why) {
    redisAsyncContext* ctx = ctx_;
    if (!ctx) return;
    ctx_ = nullptr;
    redisAsyncFree(ctx);  // runs the channel callbacks with NULL, then onDisconnect (ignored)
    lost(why);
}

void ChannelSubscriber::lost(const std::string& why) {
    subscribed_ = 0;
    checkTimer_->disable();
    if (!running_) return;
    if (!reportedDown_) log::warning(name_ + ": " + why);
    reportedDown_ = true;
    scheduleReconnect();
}

void ChannelSubscriber::scheduleReconnect() {
    backoff_ = backoff_.count() == 0 ? kFirstBackoff : std::min(backoff_ * 2, kMaxBackoff);
    reconnectTimer_->enable(backoff_);
}

}  // namespace zaqard::storage::redis
