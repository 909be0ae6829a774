// The management side of pooling (rest-v2.md §9): pools, flavors and the catalog that
// maps each queue to its pool. Kept in the management store (storage/redis:
// redis_management_store.*), shared by every zaqard process; each shard caches what it
// reads (catalog.h) and hears about changes on a pub/sub channel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "src/common/json.h"
#include "storage/storage.h"

namespace zaqard::storage::pooling {

// A registered pool: a Redis URI (any form the Redis client accepts) with a weight.
struct PoolInfo {
    std::string name;
    std::string uri;
    int64_t weight = 0;
    std::string flavor;  // empty: no flavor
    Json options = Json::object();
};

struct FlavorInfo {
    std::string name;
    std::string project;
    Json capabilities = Json::object();  // as given at PUT (Zaqar stores it, shows a list)
};

// Where a queue lives: a registered pool by name, or the virtual pool (the configured
// message store, [pooling:catalog] enable_virtual_pool).
struct Placement {
    bool virtualPool = false;
    std::string pool;  // set when !virtualPool
    bool operator==(const Placement&) const = default;
};

// What the catalog caches hear on kPoolingChannel: "pools" (the pool table changed: a
// pool was added, removed or re-pointed) or "q <project>/<queue>" (one queue's placement
// changed).
inline constexpr const char* kPoolingChannel = "z:pooling";

class ManagementStore {
  public:
    virtual ~ManagementStore() = default;

    // Pools. Every pool, ordered by name (the table is small: pools are servers).
    virtual void pools(Callback<std::vector<PoolInfo>> done) = 0;
    // Creates or replaces; Conflict when another pool has the URI.
    virtual void putPool(const PoolInfo& pool, Callback<Unit> done) = 0;
    // NotFound when the pool does not exist.
    virtual void removePool(const std::string& name, Callback<Unit> done) = 0;
    // How many queues the catalog places on the pool.
    virtual void poolQueueCount(const std::string& name, Callback<int64_t> done) = 0;

    // Flavors of one project, ordered by name.
    virtual void flavors(const std::string& project, Callback<std::vector<FlavorInfo>> done) = 0;
    virtual void putFlavor(const FlavorInfo& flavor, Callback<Unit> done) = 0;
    virtual void removeFlavor(const std::string& project, const std::string& name,
                              Callback<Unit> done) = 0;

    // Catalog: a queue's placement, nullopt when the queue is not placed.
    virtual void placement(const QueueRef& queue, Callback<std::optional<Placement>> done) = 0;
    // Records the placement unless the queue has one; answers the placement that holds.
    virtual void place(const QueueRef& queue, const Placement& placement,
                       Callback<Placement> done) = 0;
    virtual void unplace(const QueueRef& queue, Callback<Unit> done) = 0;

    // Whether the management store answers (GET /v2/ping, health).
    virtual void ping(Callback<Unit> done) = 0;
    // Tells every process's caches (kPoolingChannel).
    virtual void announce(std::string message) = 0;
    // Connects the URI with a short deadline and PINGs it (PUT/PATCH /v2/pools).
    virtual void probe(const std::string& uri, Callback<Unit> done) = 0;
    // The management store's own pub/sub (the caches listen on kPoolingChannel).
    virtual PubSub& pubsub() = 0;
};

}  // namespace zaqard::storage::pooling
