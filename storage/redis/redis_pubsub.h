// PubSub on Redis: PUBLISH through the shard's client; every listener of the shard shares
// ONE subscribed connection (RedisClient::subscribe, channels added and removed as
// listeners come and go), so it follows the client's server (the Sentinel group's current
// master after a failover) and a thousand long-polled queues cost one connection, not a
// thousand. Several listeners of one channel share its subscription.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "storage/redis/client/redis_client.h"
#include "storage/storage.h"

namespace zaqard::storage::redis {

class RedisPubSub : public PubSub {
  public:
    explicit RedisPubSub(RedisClient& redis) : redis_(redis) {}
    ~RedisPubSub() override;

    std::unique_ptr<Listener> listen(const std::string& channel, OnMessage onMessage,
                                     std::function<void()> onActive = nullptr) override;
    void publish(const std::string& channel, std::string message, Callback<int64_t> done) override;

    // The shared connection's state, shared with the listeners it outlives or not.
    struct Entry {
        OnMessage onMessage;
        std::function<void()> onActive;
    };
    struct Shared {
        std::unique_ptr<RedisSubscription> subscription;
        std::map<std::string, std::vector<std::shared_ptr<Entry>>> channels;
        void deliver(const std::string& channel, std::string_view payload);
        void activated(const std::string& channel);
        void drop(const std::string& channel, const Entry* entry);
    };

  private:
    RedisClient& redis_;
    std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
};

}  // namespace zaqard::storage::redis
