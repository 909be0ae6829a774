// The pooled Storage facade: every store interface of storage.h, each call forwarded to
// the Storage of the queue's pool as the Catalog says (placing the queue on a pool when a
// call creates it: queue create, message post, subscription create). Calls that span
// queues walk every pool: queue listing merges the pools' per-project lists (each pool
// keeps its own index; the merge takes `limit` from each and keeps the first `limit`
// names), counts and message volumes are summed, the notification registry is the union
// with each tag marked with its pool. An unreachable pool fails only the calls that need
// it (503).
#pragma once

#include <memory>

#include "storage/pooling/catalog.h"
#include "storage/storage.h"

namespace zaqard::storage::pooling {

class PooledStorage {
  public:
    explicit PooledStorage(Catalog& catalog);
    ~PooledStorage();

    Storage storage();

  private:
    class Queues;
    class Messages;
    class Claims;
    class Health;
    class Subscriptions;
    class Notifications;
    Catalog& catalog_;
    std::unique_ptr<Queues> queues_;
    std::unique_ptr<Messages> messages_;
    std::unique_ptr<Claims> claims_;
    std::unique_ptr<Health> health_;
    std::unique_ptr<Subscriptions> subscriptions_;
    std::unique_ptr<Notifications> notifications_;
};

// A pooled notification tag: the pool's own tag and the placement of the pool.
std::string pooledTag(const Placement& placement, const std::string& tag);

}  // namespace zaqard::storage::pooling
