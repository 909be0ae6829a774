// The management store on Redis (storage/pooling/management.h): pools, flavors and the
// queue catalog of pooling, on the [drivers:management_store:redis] server, which every
// zaqard process shares. Keys (cluster-ready: each command addresses one key):
//   z:pools                HASH pool name -> {"u": uri, "w": weight, "f": flavor, "o": options}
//                          (one key, so the URI-uniqueness check is one atomic script)
//   z:flavors:{<project>}  HASH flavor name -> capabilities JSON
//   z:cat:{<project>}      HASH queue name -> "p:<pool>" or "v" (the virtual pool)
//   z:pq:{<pool>}          SET "<project>/<queue>" placed on the pool (pool delete check)
// (<project> and <pool> percent-encoded, as key_layout.h does.) Invalidations go out on
// the channel storage::pooling::kPoolingChannel.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "src/event/dispatcher.h"
#include "storage/pooling/management.h"
#include "storage/redis/client/redis_client.h"
#include "storage/redis/redis_pubsub.h"

namespace zaqard::storage::redis {

class RedisManagementStore : public pooling::ManagementStore {
  public:
    // `probeTimeout`: how long probe() may take to connect and PING.
    RedisManagementStore(event::Dispatcher& dispatcher, RedisClient& client,
                         std::chrono::milliseconds probeTimeout);
    ~RedisManagementStore() override;

    void pools(Callback<std::vector<pooling::PoolInfo>> done) override;
    void putPool(const pooling::PoolInfo& pool, Callback<Unit> done) override;
    void removePool(const std::string& name, Callback<Unit> done) override;
    void poolQueueCount(const std::string& name, Callback<int64_t> done) override;
    void flavors(const std::string& project,
                 Callback<std::vector<pooling::FlavorInfo>> done) override;
    void putFlavor(const pooling::FlavorInfo& flavor, Callback<Unit> done) override;
    void removeFlavor(const std::string& project, const std::string& name,
                      Callback<Unit> done) override;
    void placement(const QueueRef& queue,
                   Callback<std::optional<pooling::Placement>> done) override;
    void place(const QueueRef& queue, const pooling::Placement& placement,
               Callback<pooling::Placement> done) override;
    void unplace(const QueueRef& queue, Callback<Unit> done) override;
    void ping(Callback<Unit> done) override;
    void announce(std::string message) override;
    void probe(const std::string& uri, Callback<Unit> done) override;
    PubSub& pubsub() override { return pubsub_; }

  private:
    struct Probe;
    event::Dispatcher& dispatcher_;
    RedisClient& redis_;
    RedisPubSub pubsub_;
    std::chrono::milliseconds probeTimeout_;
    std::vector<std::shared_ptr<Probe>> probes_;
    std::shared_ptr<bool> alive_;
};

}  // namespace zaqard::storage::redis
