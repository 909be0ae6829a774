// The Redis storage driver of one shard: implements every store interface of
// storage/storage.h on a hiredis async connection driven by the shard's event_base.
// One EVALSHA per hot call (scripts in storage/redis/scripts), reconnect with backoff,
// 503 (ErrorKind::Unavailable) while Redis is unreachable.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "src/config/config.h"
#include "src/event/dispatcher.h"
#include "storage/storage.h"

namespace zaqard::storage::redis {

class RedisDriver {
  public:
    // `sweep`: run the background expiry sweeper on this shard (one shard is enough).
    RedisDriver(event::Dispatcher& dispatcher, const config::Config& config, bool sweep = true);
    ~RedisDriver();

    // Connects (asynchronously; calls fail with Unavailable until connected), loads the
    // scripts and starts the background expiry sweep.
    void start();
    // Stops the sweep and disconnects; pending calls fail with Unavailable.
    void stop();

    // Whether the connection is up and its scripts are loaded (calls are served anyway
    // while connecting; this is for diagnostics and tests).
    bool ready() const;

    Storage storage();

    // Called (on the shard's thread) when this shard recorded notification jobs for the
    // queue `tag`, so the shard's notification engine can read them at once.
    void setNotificationHandler(std::function<void(const std::string& tag)> handler);

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace zaqard::storage::redis
