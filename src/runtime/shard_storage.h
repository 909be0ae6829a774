// The storage of one shard, as the configuration asks: the Redis driver on the message
// store, or with [DEFAULT] pooling the pooled facade (storage/pooling) over a driver per
// pool, the management store's catalog, and the message store as the virtual pool when
// [pooling:catalog] enable_virtual_pool.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "src/config/config.h"
#include "src/event/dispatcher.h"
#include "storage/storage.h"

namespace zaqard::runtime {

class ShardStorage {
  public:
    // `sweep`: this shard runs the expiry sweepers (of every pool).
    ShardStorage(event::Dispatcher& dispatcher, const config::Config& config, bool sweep);
    ~ShardStorage();

    void start();
    void stop();
    storage::Storage storage();
    // Called when this shard recorded notification jobs for a queue (its tag).
    void setNotificationHandler(std::function<void(const std::string& tag)> handler);

  private:
    struct Plain;
    struct Pooled;
    std::unique_ptr<Plain> plain_;
    std::unique_ptr<Pooled> pooled_;
};

}  // namespace zaqard::runtime
