// redisBackendFactory; see redis_pool_backend.h.
#include "storage/redis/redis_pool_backend.h"

#include "src/config/config_loader.h"
#include "storage/redis/client/client_factory.h"

namespace zaqard::storage::redis {

pooling::BackendFactory redisBackendFactory(event::Dispatcher& dispatcher,
                                            RedisDriverOptions options) {
    return [&dispatcher,
            options](const pooling::PoolInfo& pool) -> std::unique_ptr<pooling::PoolBackend> {
        config::RedisUri uri;
        std::string error;
        if (!config::parseRedisUri(pool.uri, uri, error) || !clientSupports(uri, error))
            return nullptr;
        RedisDriverOptions poolOptions = options;
        poolOptions.metricsStore = "pool:" + pool.name;  // bounded: metrics::redisSeries caps
        return std::make_unique<RedisPoolBackend>(dispatcher, uri, poolOptions);
    };
}

}  // namespace zaqard::storage::redis
