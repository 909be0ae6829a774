// HealthStore on Redis: a PING through the shard's connection, and the message volume of
// every queue (see redis_health_store.cpp for its cost).
#pragma once

#include "storage/redis/redis_connection.h"
#include "storage/storage.h"

namespace zaqard::storage::redis {

class RedisHealthStore : public HealthStore {
  public:
    explicit RedisHealthStore(RedisConnection& connection) : connection_(connection) {}

    void ping(Callback<Unit> done) override;
    void messageVolume(Callback<MessageVolume> done) override;

  private:
    RedisConnection& connection_;
};

}  // namespace zaqard::storage::redis
