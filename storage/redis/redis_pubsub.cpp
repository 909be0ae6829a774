// RedisPubSub; see redis_pubsub.h.
#include "storage/redis/redis_pubsub.h"

namespace zaqard::storage::redis {

namespace {

class RedisListener : public PubSub::Listener {
  public:
    explicit RedisListener(std::unique_ptr<RedisSubscription> subscription)
        : subscription_(std::move(subscription)) {}
    bool active() const override { return subscription_->active(); }

  private:
    std::unique_ptr<RedisSubscription> subscription_;
};

}  // namespace

std::unique_ptr<PubSub::Listener> RedisPubSub::listen(const std::string& channel,
                                                      OnMessage onMessage) {
    return std::make_unique<RedisListener>(redis_.subscribe(
        {channel}, [onMessage = std::move(onMessage)](
                       const std::string&, std::string_view payload) { onMessage(payload); }));
}

void RedisPubSub::publish(const std::string& channel, std::string message, Callback<int64_t> done) {
    // A channel is no key; a cluster client may send PUBLISH to any node.
    redis_.command(Command::keyless({"PUBLISH", channel, std::move(message)}),
                   [done = std::move(done)](Result<RedisValue> reply) {
                       if (!reply.ok()) return done(reply.error());
                       if (reply.value().isError())
                           return done(Error{ErrorKind::Unavailable, reply.value().str});
                       done(reply.value().asInt());
                   });
}

}  // namespace zaqard::storage::redis
