#include "transports/websocket/push_channel.h"

#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>

#include "src/common/log.h"
#include "src/common/uuid.h"
#include "storage/redis/redis_connection.h"

namespace zaqard::websocket {

namespace {

constexpr const char* kChannelPrefix = "zaqard:ws:";
constexpr std::chrono::milliseconds kMaxBackoff{5000};

}  // namespace

// The subscriber is a bare hiredis context: RedisConnection expects one reply per
// command, a subscription gets a reply per published message. Publishing is an ordinary
// command, so it goes through a RedisConnection (deadlines, reconnects).
class PushChannel::Impl {
  public:
    Impl(event::Dispatcher& dispatcher, const config::RedisUri& uri,
         std::chrono::milliseconds timeout, std::string channel, Deliver deliver)
        : dispatcher_(dispatcher),
          uri_(uri),
          channel_(std::move(channel)),
          deliver_(std::move(deliver)),
          publisher_(dispatcher, uri, timeout) {
        reconnectTimer_ = dispatcher_.createTimer([this] { connect(); });
    }

    ~Impl() { stop(); }

    void start() {
        if (!uri_.sentinels.empty()) {
            // A Sentinel URI names no server to subscribe to; pushes then stay in-process.
            log::warning("websocket: push channel needs a direct Redis URI (not Sentinel)");
            return;
        }
        running_ = true;
        publisher_.start();
        connect();
    }

    void stop() {
        if (!running_) return;
        running_ = false;
        reconnectTimer_->disable();
        publisher_.stop();
        if (ctx_) {
            redisAsyncContext* ctx = ctx_;
            ctx_ = nullptr;
            ctx->data = nullptr;
            redisAsyncFree(ctx);  // runs our reply callback with no reply, then frees
        }
    }

    bool subscribed() const { return subscribed_; }

    void publish(const std::string& channel, std::string payload, Published done) {
        publisher_.command({"PUBLISH", channel, std::move(payload)},
                           [done = std::move(done)](Result<storage::redis::RedisValue> reply) {
                               bool received = reply.ok() && !reply.value().isError() &&
                                               reply.value().asInt() > 0;
                               if (done) done(received);
                           });
    }

  private:
    void connect() {
        if (!running_ || ctx_) return;
        redisAsyncContext* ctx = uri_.socketPath.empty()
                                     ? redisAsyncConnect(uri_.host.c_str(), uri_.port)
                                     : redisAsyncConnectUnix(uri_.socketPath.c_str());
        if (ctx == nullptr || ctx->err) {
            if (ctx) redisAsyncFree(ctx);
            return scheduleReconnect();
        }
        ctx_ = ctx;
        ctx->data = this;
        redisLibeventAttach(ctx, dispatcher_.base());
        redisAsyncSetConnectCallback(ctx, &Impl::onConnect);
        redisAsyncSetDisconnectCallback(ctx, &Impl::onDisconnect);
        if (!uri_.password.empty()) {
            if (uri_.username.empty())
                redisAsyncCommand(ctx, nullptr, nullptr, "AUTH %s", uri_.password.c_str());
            else
                redisAsyncCommand(ctx, nullptr, nullptr, "AUTH %s %s", uri_.username.c_str(),
                                  uri_.password.c_str());
        }
        redisAsyncCommand(ctx, &Impl::onMessage, this, "SUBSCRIBE %b", channel_.data(),
                          channel_.size());
    }

    void scheduleReconnect() {
        subscribed_ = false;
        if (!running_) return;
        backoff_ =
            std::min(kMaxBackoff, backoff_.count() ? backoff_ * 2 : std::chrono::milliseconds(100));
        reconnectTimer_->enable(backoff_);
    }

    static void onConnect(const redisAsyncContext* ctx, int status) {
        auto* self = static_cast<Impl*>(ctx->data);
        if (!self || status == REDIS_OK) return;
        // hiredis frees a context whose connect failed.
        self->ctx_ = nullptr;
        self->scheduleReconnect();
    }

    static void onDisconnect(const redisAsyncContext* ctx, int) {
        auto* self = static_cast<Impl*>(ctx->data);
        if (!self) return;
        self->ctx_ = nullptr;
        if (self->running_) log::warning("websocket: push channel lost its Redis connection");
        self->scheduleReconnect();
    }

    static void onMessage(redisAsyncContext* ctx, void* r, void*) {
        auto* self = static_cast<Impl*>(ctx->data);
        auto* reply = static_cast<redisReply*>(r);
        if (!self || !reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) return;
        std::string kind(reply->element[0]->str ? reply->element[0]->str : "",
                         reply->element[0]->len);
        if (kind == "subscribe") {
            self->subscribed_ = true;
            self->backoff_ = std::chrono::milliseconds(0);
            return;
        }
        if (kind != "message" || reply->element[2]->type != REDIS_REPLY_STRING) return;
        std::string_view payload(reply->element[2]->str, reply->element[2]->len);
        size_t space = payload.find(' ');
        if (space == std::string_view::npos) return;
        Json frame = parseJsonValue(payload.substr(space + 1));
        if (!frame) return;
        self->deliver_(std::string(payload.substr(0, space)), std::move(frame));
    }

    event::Dispatcher& dispatcher_;
    config::RedisUri uri_;
    std::string channel_;
    Deliver deliver_;
    storage::redis::RedisConnection publisher_;
    redisAsyncContext* ctx_ = nullptr;
    event::TimerPtr reconnectTimer_;
    std::chrono::milliseconds backoff_{0};
    bool running_ = false;
    bool subscribed_ = false;
};

PushChannel::PushChannel(event::Dispatcher& dispatcher, const config::RedisUri& uri,
                         std::chrono::milliseconds timeout, std::string listenerId, Deliver deliver)
    : impl_(std::make_unique<Impl>(dispatcher, uri, timeout, kChannelPrefix + listenerId,
                                   std::move(deliver))),
      listenerId_(std::move(listenerId)) {}

PushChannel::~PushChannel() = default;

void PushChannel::start() {
    impl_->start();
}
void PushChannel::stop() {
    impl_->stop();
}
bool PushChannel::subscribed() const {
    return impl_->subscribed();
}

void PushChannel::publish(const std::string& connectionId, const Json& frame, Published done) {
    std::string channel = channelFor(connectionId);
    if (channel.empty()) {
        if (done) done(false);
        return;
    }
    impl_->publish(channel, connectionId + " " + frame.dump(), std::move(done));
}

std::string PushChannel::listenerOf(const std::string& connectionId) {
    size_t dot = connectionId.find('.');
    return dot == std::string::npos || dot == 0 ? std::string() : connectionId.substr(0, dot);
}

std::string PushChannel::channelFor(const std::string& connectionId) {
    std::string listener = listenerOf(connectionId);
    return listener.empty() ? std::string() : kChannelPrefix + listener;
}

std::string PushChannel::newListenerId() {
    std::string id;
    for (char c : randomUuid())
        if (c != '-' && id.size() < 16) id += c;
    return id;
}

}  // namespace zaqard::websocket
