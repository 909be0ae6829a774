// Background housekeeping: every sweep interval, walks a few queues of the registry and
// runs the normalise script on each, so expired messages and claims of idle queues are
// reclaimed and their dead letters moved. The registry is split into buckets
// (z:registry:{0..15}, spread over the masters of a cluster): a tick continues an SSCAN
// of one bucket, then the next bucket, and after the last one the pre-bucket registry
// z:registry, whose entries it moves into their buckets. normalise also answers what
// the second step of a queue's creation or deletion left undone (queue_index.h): a
// pending index intent is finished, an entry of a missing queue removed.
// Bounded work per tick; one shard per process is enough (several are harmless).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "src/event/dispatcher.h"
#include "storage/redis/redis_context.h"

namespace zaqard::storage::redis {

class ExpirySweeper {
  public:
    ExpirySweeper(RedisContext& context, std::chrono::milliseconds interval);

    void start();
    void stop();
    // Runs one tick now (tests).
    void tick();

  private:
    // The key of registry position `bucket_` (kRegistryBuckets: the pre-bucket registry).
    std::string currentKey() const;
    void scan(int emptySteps, std::function<void()> finish);
    void sweep(const RedisValue& tags, bool legacy, std::function<void()> finish);

    RedisContext& context_;
    std::chrono::milliseconds interval_;
    event::TimerPtr timer_;
    int bucket_ = 0;
    std::string cursor_ = "0";
    bool running_ = false;
    bool busy_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace zaqard::storage::redis
