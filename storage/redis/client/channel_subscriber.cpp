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
      wanted_(channels.begin(), channels.end()),
      onMessage_(std::move(onMessage)),
      name_(std::move(name)) {
    reconnectTimer_ = dispatcher_.createTimer([this] { connect(); });
    checkTimer_ = dispatcher_.createTimer([this] {
        if (authFailed_) return drop("AUTH failed");
        for (const auto& [channel, state] : states_)
            if (state != ChannelState::Subscribed)
                return drop("no (UN)SUBSCRIBE confirmation within the timeout");
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
    states_.clear();
    sendSubscribe(std::vector<std::string>(wanted_.begin(), wanted_.end()));
}

bool ChannelSubscriber::active() const {
    if (!ctx_) return false;
    for (const auto& channel : wanted_)
        if (!subscribed(channel)) return false;
    return true;
}

bool ChannelSubscriber::subscribed(const std::string& channel) const {
    auto it = states_.find(channel);
    return ctx_ && it != states_.end() && it->second == ChannelState::Subscribed;
}

void ChannelSubscriber::add(const std::string& channel) {
    if (!wanted_.insert(channel).second) return;
    // Unsubscribing: subscribed again when the UNSUBSCRIBE is confirmed (header).
    if (ctx_ && !states_.count(channel)) sendSubscribe({channel});
}

void ChannelSubscriber::remove(const std::string& channel) {
    if (!wanted_.erase(channel)) return;
    auto it = states_.find(channel);
    if (!ctx_ || it == states_.end() || it->second == ChannelState::Unsubscribing) return;
    sendUnsubscribe(channel);
}

void ChannelSubscriber::sendSubscribe(const std::vector<std::string>& channels) {
    if (channels.empty() || !ctx_) return;
    std::vector<const char*> argv{"SUBSCRIBE"};
    std::vector<size_t> lengths{9};
    for (const auto& channel : channels) {
        argv.push_back(channel.data());
        lengths.push_back(channel.size());
        states_[channel] = ChannelState::Subscribing;
    }
    redisAsyncCommandArgv(ctx_, &ChannelSubscriber::onMessage, this, static_cast<int>(argv.size()),
                          argv.data(), lengths.data());
    if (!checkTimer_->enabled()) checkTimer_->enable(timeout_);
}

void ChannelSubscriber::sendUnsubscribe(const std::string& channel) {
    const char* argv[] = {"UNSUBSCRIBE", channel.data()};
    size_t lengths[] = {11, channel.size()};
    // No callback of its own: hiredis hands the "unsubscribe" reply to the channel's.
    if (redisAsyncCommandArgv(ctx_, nullptr, nullptr, 2, argv, lengths) != 0) {
        states_.erase(channel);  // hiredis: not in subscribed mode, nothing to undo
        return;
    }
    states_[channel] = ChannelState::Unsubscribing;
    if (!checkTimer_->enabled()) checkTimer_->enable(timeout_);
}

void ChannelSubscriber::onSubscribeReply(const std::string& channel) {
    auto it = states_.find(channel);
    if (it == states_.end() || it->second != ChannelState::Subscribing) return;
    it->second = ChannelState::Subscribed;
    bool pending = false;
    for (const auto& [name, state] : states_) pending |= state != ChannelState::Subscribed;
    if (!pending) checkTimer_->disable();
    backoff_ = std::chrono::milliseconds(0);
    if (reportedDown_) log::info(name_ + ": subscribed on " + endpoint_.describe());
    reportedDown_ = false;
    if (onSubscribed_) onSubscribed_(channel);
}

void ChannelSubscriber::onUnsubscribeReply(const std::string& channel) {
    auto it = states_.find(channel);
    if (it == states_.end() || it->second != ChannelState::Unsubscribing) return;
    states_.erase(it);
    if (wanted_.count(channel)) sendSubscribe({channel});
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
    if (reply->element[1]->type != REDIS_REPLY_STRING) return;
    std::string channel(reply->element[1]->str, reply->element[1]->len);
    if (kind == "subscribe") return self->onSubscribeReply(channel);
    if (kind == "unsubscribe") return self->onUnsubscribeReply(channel);
    if (kind != "message" || reply->element[2]->type != REDIS_REPLY_STRING) return;
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
    states_.clear();
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
