// A pool's stores on this shard (storage/pooling/catalog.h PoolBackend): a RedisDriver on
// the pool's URI. The virtual pool is one too, on the configured message store.
#pragma once

#include <memory>

#include "storage/pooling/catalog.h"
#include "storage/redis/redis_driver.h"

namespace zaqard::storage::redis {

class RedisPoolBackend : public pooling::PoolBackend {
  public:
    RedisPoolBackend(event::Dispatcher& dispatcher, const config::RedisUri& uri,
                     RedisDriverOptions options)
        : driver_(dispatcher, uri, std::move(options)) {}

    void start() override { driver_.start(); }
    void stop() override { driver_.stop(); }
    Storage storage() override { return driver_.storage(); }
    void setNotificationHandler(std::function<void(const std::string&)> handler) override {
        driver_.setNotificationHandler(std::move(handler));
    }

  private:
    RedisDriver driver_;
};

// The factory the Catalog uses: null for a URI that does not parse or that no client
// serves (it was probed at registration, so this means it changed under us).
pooling::BackendFactory redisBackendFactory(event::Dispatcher& dispatcher,
                                            RedisDriverOptions options);

}  // namespace zaqard::storage::redis
