// HealthStore on Redis: a PING through the shard's client.
#pragma once

#include "storage/redis/client/redis_client.h"
#include "storage/storage.h"

namespace zaqard::storage::redis {

class RedisHealthStore : public HealthStore {
  public:
    explicit RedisHealthStore(RedisClient& redis) : redis_(redis) {}

    void ping(Callback<Unit> done) override {
        redis_.command({"PING"}, [done = std::move(done)](Result<RedisValue> reply) {
            if (!reply.ok()) return done(reply.error());
            if (reply.value().isError())
                return done(Error{ErrorKind::Unavailable, reply.value().str});
            done(Unit{});
        });
    }

  private:
    RedisClient& redis_;
};

}  // namespace zaqard::storage::redis
