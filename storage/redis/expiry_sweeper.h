// Background housekeeping: every sweep interval, walks a few queues of the registry
// (SSCAN cursor kept across ticks) and runs the normalise script on each, so expired
// messages and claims of idle queues are reclaimed and their dead letters moved.
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
    RedisContext& context_;
    std::chrono::milliseconds interval_;
    event::TimerPtr timer_;
    std::string cursor_ = "0";
    bool running_ = false;
    bool busy_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace zaqard::storage::redis
