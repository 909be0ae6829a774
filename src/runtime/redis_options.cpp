// redisDriverOptions: [zaqard] and [transport] values for storage/redis.
#include "src/runtime/redis_options.h"

#include <cstdint>

namespace zaqard::runtime {

namespace {
std::chrono::milliseconds millis(double seconds, int64_t fallback) {
    auto ms = static_cast<int64_t>(seconds * 1000);
    return std::chrono::milliseconds(ms > 0 ? ms : fallback);
}
}  // namespace

storage::redis::RedisDriverOptions redisDriverOptions(const config::Config& config, bool sweep) {
    storage::redis::RedisDriverOptions options;
    options.timeout = millis(config.redis_timeout, 2000);
    options.sweepInterval = millis(config.sweep_interval, 1000);
    options.sweep = sweep;
    options.defaults.defaultMessageTtl = config.limits.default_message_ttl;
    options.defaults.maxMessageDelay = config.limits.max_message_delay;
    options.defaults.notifications = config.notificationsEnabled();
    options.writeConcern.replicas = config.redis_wait_replicas;
    options.writeConcern.timeout = millis(config.redis_wait_timeout, 1000);
    options.coalesce = config.redis_coalesce;
    return options;
}

}  // namespace zaqard::runtime
