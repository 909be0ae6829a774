// The values the Redis driver takes from the configuration (storage reads no Config).
#pragma once

#include "src/config/config.h"
#include "storage/redis/redis_driver.h"

namespace zaqard::runtime {

// `sweep`: this shard runs the background expiry sweeper.
storage::redis::RedisDriverOptions redisDriverOptions(const config::Config& config, bool sweep);

}  // namespace zaqard::runtime
