// HealthStore on Redis: a PING through the shard's connection.
#pragma once

#include "storage/redis/redis_connection.h"
#include "storage/storage.h"

namespace zaqard::storage::redis {

class RedisHealthStore : public HealthStore {
  public:
    explicit RedisHealthStore(RedisConnection& connection) : connection_(connection) {}

    void ping(Callback<Unit> done) override {
        connection_.command({"PING"}, [done = std::move(done)](Result<RedisValue> reply) {
            if (!reply.ok()) return done(reply.error());
            if (reply.value().isError())
                return done(Error{ErrorKind::Unavailable, reply.value().str});
            done(Unit{});
        });
    }

  private:
    RedisConnection& connection_;
};

}  // namespace zaqard::storage::redis
