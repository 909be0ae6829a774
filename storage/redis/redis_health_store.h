// HealthStore on Redis: a PING through the shard's client, and the message volume of
// every queue (see redis_health_store.cpp for its cost).
#pragma once

#include "storage/redis/client/redis_client.h"
#include "storage/storage.h"

namespace zaqard::storage::redis {

class RedisHealthStore : public HealthStore {
  public:
    explicit RedisHealthStore(RedisClient& redis) : redis_(redis) {}

    void ping(Callback<Unit> done) override;
    void messageVolume(Callback<MessageVolume> done) override;

  private:
    RedisClient& redis_;
};

}  // namespace zaqard::storage::redis
