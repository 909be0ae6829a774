// RedisPubSub; see redis_pubsub.h.
#include "storage/redis/redis_pubsub.h"

#include <algorithm>

namespace zaqard::storage::redis {

namespace {

class RedisListener : public PubSub::Listener {
  public:
    RedisListener(std::weak_ptr<RedisPubSub::Shared> shared, std::string channel,
                  std::shared_ptr<RedisPubSub::Entry> entry)
        : shared_(std::move(shared)), channel_(std::move(channel)), entry_(std::move(entry)) {}
    ~RedisListener() override {
        if (auto shared = shared_.lock()) shared->drop(channel_, entry_.get());
    }
    bool active() const override {
        auto shared = shared_.lock();
        return shared && shared->subscription && shared->subscription->subscribed(channel_);
    }

  private:
    std::weak_ptr<RedisPubSub::Shared> shared_;
    std::string channel_;
    std::shared_ptr<RedisPubSub::Entry> entry_;
};

}  // namespace

// Handlers run from copies of the entry lists: a handler may add or drop listeners.
void RedisPubSub::Shared::deliver(const std::string& channel, std::string_view payload) {
    auto it = channels.find(channel);
    if (it == channels.end()) return;
    std::vector<std::weak_ptr<Entry>> entries(it->second.begin(), it->second.end());
    for (const auto& weak : entries)
        if (auto entry = weak.lock(); entry && entry->onMessage) entry->onMessage(payload);
}

void RedisPubSub::Shared::activated(const std::string& channel) {
    auto it = channels.find(channel);
    if (it == channels.end()) return;
    std::vector<std::weak_ptr<Entry>> entries(it->second.begin(), it->second.end());
    for (const auto& weak : entries)
        if (auto entry = weak.lock(); entry && entry->onActive) entry->onActive();
}

void RedisPubSub::Shared::drop(const std::string& channel, const Entry* entry) {
    auto it = channels.find(channel);
    if (it == channels.end()) return;
    auto& entries = it->second;
    entries.erase(std::remove_if(entries.begin(), entries.end(),
                                 [entry](const auto& e) { return e.get() == entry; }),
                  entries.end());
    if (!entries.empty()) return;
    channels.erase(it);
    if (subscription) subscription->remove(channel);
}

RedisPubSub::~RedisPubSub() {
    // Listeners that outlive us find the state gone (weak) and do nothing.
    shared_->subscription.reset();
    shared_->channels.clear();
}

std::unique_ptr<PubSub::Listener> RedisPubSub::listen(const std::string& channel,
                                                      OnMessage onMessage,
                                                      std::function<void()> onActive) {
    auto entry = std::make_shared<Entry>(Entry{std::move(onMessage), std::move(onActive)});
    std::weak_ptr<Shared> weak = shared_;
    auto& entries = shared_->channels[channel];
    const bool first = entries.empty();
    entries.push_back(entry);
    if (!shared_->subscription) {
        // The connection opens with the first listener; its handlers reach the state
        // through a weak reference (the subscription may deliver during our teardown).
        shared_->subscription =
            redis_.subscribe({channel}, [weak](const std::string& name, std::string_view payload) {
                if (auto shared = weak.lock()) shared->deliver(name, payload);
            });
        shared_->subscription->setOnSubscribed([weak](const std::string& name) {
            if (auto shared = weak.lock()) shared->activated(name);
        });
    } else if (first) {
        shared_->subscription->add(channel);
    }
    // A listener joining a confirmed channel is active at once (active() says so); its
    // onActive runs from the next confirmation on.
    return std::make_unique<RedisListener>(weak, channel, entry);
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
