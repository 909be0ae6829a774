// ShardStorage; see shard_storage.h.
#include "src/runtime/shard_storage.h"

#include <cstdlib>

#include "src/common/log.h"
#include "src/runtime/redis_options.h"
#include "storage/pooling/catalog.h"
#include "storage/pooling/pooled_storage.h"
#include "storage/redis/client/client_factory.h"
#include "storage/redis/redis_driver.h"
#include "storage/redis/redis_management_store.h"
#include "storage/redis/redis_pool_backend.h"

namespace zaqard::runtime {

namespace {
// PUT/PATCH /v2/pools connects to the URI first; an operator waits this long at most.
constexpr std::chrono::milliseconds kProbeTimeout{2000};
}  // namespace

struct ShardStorage::Plain {
    Plain(event::Dispatcher& dispatcher, const config::Config& config, bool sweep)
        : driver(dispatcher, config.message_store_redis, redisDriverOptions(config, sweep)) {}
    storage::redis::RedisDriver driver;
};

struct ShardStorage::Pooled {
    Pooled(event::Dispatcher& dispatcher, const config::Config& config, bool sweep)
        : managementClient(managementClientFor(dispatcher, config)),
          management(dispatcher, *managementClient, kProbeTimeout),
          virtualPool(
              config.enable_virtual_pool
                  ? std::make_unique<storage::redis::RedisPoolBackend>(
                        dispatcher, config.message_store_redis, redisDriverOptions(config, sweep))
                  : nullptr),
          catalog(
              dispatcher, management,
              storage::redis::redisBackendFactory(dispatcher, redisDriverOptions(config, sweep)),
              virtualPool.get()),
          facade(catalog) {}

    static std::unique_ptr<storage::redis::RedisClient> managementClientFor(
        event::Dispatcher& dispatcher, const config::Config& config) {
        std::string error;
        auto client = storage::redis::makeClient(
            dispatcher, config.management_store_redis,
            storage::redis::ClientOptions{redisDriverOptions(config, false).timeout, "management"},
            error);
        if (!client) {
            // runServer checks clientSupports() before any shard is built.
            log::error("redis: " + error);
            std::abort();
        }
        return client;
    }

    std::unique_ptr<storage::redis::RedisClient> managementClient;
    storage::redis::RedisManagementStore management;
    std::unique_ptr<storage::redis::RedisPoolBackend> virtualPool;
    storage::pooling::Catalog catalog;
    storage::pooling::PooledStorage facade;
};

ShardStorage::ShardStorage(event::Dispatcher& dispatcher, const config::Config& config,
                           bool sweep) {
    if (config.pooling)
        pooled_ = std::make_unique<Pooled>(dispatcher, config, sweep);
    else
        plain_ = std::make_unique<Plain>(dispatcher, config, sweep);
}

ShardStorage::~ShardStorage() {
    stop();
}

void ShardStorage::start() {
    if (plain_) return plain_->driver.start();
    pooled_->managementClient->start();
    if (pooled_->virtualPool) pooled_->virtualPool->start();
    pooled_->catalog.start();
}

void ShardStorage::stop() {
    if (plain_) return plain_->driver.stop();
    pooled_->catalog.stop();
    if (pooled_->virtualPool) pooled_->virtualPool->stop();
    pooled_->managementClient->stop();
}

storage::Storage ShardStorage::storage() {
    return plain_ ? plain_->driver.storage() : pooled_->facade.storage();
}

void ShardStorage::setNotificationHandler(std::function<void(const std::string& tag)> handler) {
    if (plain_) return plain_->driver.setNotificationHandler(std::move(handler));
    pooled_->catalog.setNotificationHandler(
        [handler = std::move(handler)](const storage::pooling::Placement& placement,
                                       const std::string& tag) {
            handler(storage::pooling::pooledTag(placement, tag));
        });
}

}  // namespace zaqard::runtime
