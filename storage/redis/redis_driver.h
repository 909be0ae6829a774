// The Redis storage driver of one shard: implements every store interface of
// storage/storage.h on one RedisClient (storage/redis/client: a single node or a Sentinel
// group) driven by the shard's event_base. One FCALL per hot call (scripts in
// storage/redis/scripts), reconnect with backoff, 503 (ErrorKind::Unavailable) while Redis
// is unreachable or failing over.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "src/config/config.h"
#include "src/event/dispatcher.h"
#include "storage/redis/redis_context.h"
#include "storage/redis/script_runner.h"
#include "storage/storage.h"

namespace zaqard::storage::redis {

// Everything the driver needs besides the URI, as values (src/runtime fills it from the
// configuration; a pool can carry its own).
struct RedisDriverOptions {
    std::chrono::milliseconds timeout{2000};        // a call's deadline ([zaqard] redis_timeout)
    std::chrono::milliseconds sweepInterval{1000};  // [zaqard] sweep_interval
    bool sweep = true;  // run the background expiry sweeper here (one shard is enough)
    StoreDefaults defaults;
    WriteConcern writeConcern;             // [zaqard] redis_wait_replicas / redis_wait_timeout
    std::string metricsStore = "message";  // the `store` label of its Redis metrics
    bool coalesce = true;  // [zaqard] redis_coalesce: batch a loop turn's calls per queue
};

class RedisDriver {
  public:
    // `uri` must be one clientSupports() accepts (checked at start-up).
    RedisDriver(event::Dispatcher& dispatcher, const config::RedisUri& uri,
                RedisDriverOptions options);
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
