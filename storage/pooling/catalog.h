// The catalog of one shard (rest-v2.md §9, Zaqar's storage/pooling.py Catalog): which pool
// holds a queue, and a storage::Storage per pool to reach it.
//
// The queue -> pool map and the pool table live in the management store; this shard
// caches both. A change made by any process is announced on kPoolingChannel: "pools"
// reloads the pool table (new pools get a backend, re-pointed or removed pools have theirs
// stopped) and forgets every cached placement; "q <project>\n<queue>" forgets one. Three
// rules keep a cached entry from routing a queue to a wrong pool:
//   - caches are trusted only while the channel's subscription is active (a message
//     published while it is down is missed: until it is back every lookup reads the
//     management store);
//   - every invalidation bumps an epoch, and a placement read before a bump is not cached;
//   - a placement naming a pool the table does not have reloads the table first.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/event/dispatcher.h"
#include "storage/pooling/management.h"
#include "storage/storage.h"

namespace zaqard::storage::pooling {

// The stores of one pool on this shard (storage/redis builds them from the pool's URI).
class PoolBackend {
  public:
    virtual ~PoolBackend() = default;
    virtual void start() = 0;
    // Pending calls fail with Unavailable (their stores stay alive until deleted).
    virtual void stop() = 0;
    virtual Storage storage() = 0;
    // Called with a queue's notification tag when this shard recorded jobs for it.
    virtual void setNotificationHandler(std::function<void(const std::string& tag)> handler) = 0;
};

// Null when the URI cannot be served (it was probed when the pool was registered).
using BackendFactory = std::function<std::unique_ptr<PoolBackend>(const PoolInfo& pool)>;

// A pool's backend as a route answers it.
struct Route {
    Placement placement;
    Storage* storage = nullptr;
};

class Catalog {
  public:
    // `virtualPool`: the configured message store when enable_virtual_pool (else null).
    Catalog(event::Dispatcher& dispatcher, ManagementStore& management, BackendFactory factory,
            PoolBackend* virtualPool);
    ~Catalog();

    // Listens for invalidations and loads the pool table (backends start at once: the
    // expiry sweeper and the notification engine work on every pool).
    void start();
    void stop();

    // Where the queue lives; nullopt when it is not placed (it does not exist).
    void route(const QueueRef& queue, std::function<void(Result<std::optional<Route>>)> done);
    // Where the queue lives, placing it first when needed: weighted random choice among the
    // pools of `flavor` (of the queue's project), or among the pools without flavor, or the
    // virtual pool. BadRequest for an unknown flavor; Unavailable when nothing can hold it.
    void routeOrPlace(const QueueRef& queue, const std::string& flavor,
                      std::function<void(Result<Route>)> done);
    // For calls on queues that are not placed: the virtual pool, else any pool (the queue
    // is absent there too, so it answers as for a missing queue); Unavailable without pools.
    void fallback(std::function<void(Result<Route>)> done);
    // Forgets the queue's placement (after its deletion) in every process.
    void unplace(const QueueRef& queue, std::function<void(Status)> done);

    // Every backend (pools by name, then the virtual pool), the table refreshed first.
    struct Member {
        std::string name;  // "" for the virtual pool
        Placement placement;
        Storage* storage;
    };
    void members(std::function<void(Result<std::vector<Member>>)> done);
    // The backend of a placement if the current table has it.
    Storage* storageOf(const Placement& placement);

    // Notification tags of every pool's queues, told to this handler (tags as
    // PooledStorage encodes them).
    void setNotificationHandler(std::function<void(const Placement&, const std::string&)> handler);

    ManagementStore& management() { return management_; }

  private:
    struct Pool {
        PoolInfo info;
        std::unique_ptr<PoolBackend> backend;
        Storage storage;
    };
    bool trusted() const;
    void onMessage(std::string_view message);
    void invalidateAll();
    void withTable(bool refresh, std::function<void(Status)> done);
    void applyTable(std::vector<PoolInfo> pools);
    void lookup(const QueueRef& queue, std::function<void(Result<std::optional<Placement>>)> done);
    void record(const QueueRef& queue, const Placement& placement,
                std::function<void(Result<Route>)> done);
    void resolve(const Placement& placement, bool reloaded,
                 std::function<void(Result<Route>)> done);
    void choose(const QueueRef& queue, const std::string& flavor,
                std::function<void(Result<Route>)> done);

    event::Dispatcher& dispatcher_;
    ManagementStore& management_;
    BackendFactory factory_;
    PoolBackend* virtualPool_;
    std::optional<Storage> virtualStorage_;
    std::unique_ptr<PubSub::Listener> listener_;
    std::map<std::string, std::unique_ptr<Pool>> pools_;
    bool tableLoaded_ = false;
    bool wasTrusted_ = false;
    uint64_t epoch_ = 0;
    std::unordered_map<std::string, Placement> cache_;  // "<project>\n<queue>"
    std::vector<std::function<void(Status)>> tableWaiters_;
    std::function<void(const Placement&, const std::string&)> notificationHandler_;
    std::shared_ptr<bool> alive_;
};

// The weighted choice of Zaqar's common/storage/select.py: weight 0 is never chosen;
// `roll` picks in [0, total weight). Answers the index, or -1 when nothing has weight.
int weightedChoice(const std::vector<int64_t>& weights, uint64_t roll);

}  // namespace zaqard::storage::pooling
