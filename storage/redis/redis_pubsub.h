// PubSub on Redis: PUBLISH through the shard's client, each listener a SUBSCRIBE on a
// connection of its own (RedisClient::subscribe), so it follows the client's server:
// the Sentinel group's current master after a failover.
#pragma once

#include "storage/redis/client/redis_client.h"
#include "storage/storage.h"

namespace zaqard::storage::redis {

class RedisPubSub : public PubSub {
  public:
    explicit RedisPubSub(RedisClient& redis) : redis_(redis) {}

    std::unique_ptr<Listener> listen(const std::string& channel, OnMessage onMessage) override;
    void publish(const std::string& channel, std::string message, Callback<int64_t> done) override;

  private:
    RedisClient& redis_;
};

}  // namespace zaqard::storage::redis
