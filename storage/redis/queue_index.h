// The second step of queue creation and deletion: a queue's hash lives in its own slot,
// its entries in the project index (z:queues:{P}) and the registry bucket
// (z:registry:{N}) in others, so they cannot change in one script. The rule that makes
// a crash between the steps repairable (storage/redis/README.md, "Cross-slot
// operations"): entries are written after the queue hash (which carries the index
// intent `ix` until both are written) and removed after it, so an entry may exist
// without its queue (skipped by readers, removed by the repair below) but a queue never
// stays without entries unless its hash still says so.
#pragma once

#include <functional>
#include <string>

#include "storage/redis/redis_context.h"

namespace zaqard::storage::redis {

// Writes the project index and registry entries of the queue `tag`, then clears the
// index intent `token` (the queue_indexed script; not awaited). done(true) once both
// entries are stored, done(false) when either write failed (the intent stays, so the
// next script that answers it retries).
void indexQueue(RedisContext& context, const std::string& tag, const std::string& token,
                std::function<void(bool)> done);

// Removes the queue's entries (project index, registry bucket, the pre-bucket registry);
// called after its keys are gone. done(false) when a write failed.
void unindexQueue(RedisContext& context, const std::string& tag, std::function<void(bool)> done);

// Repairs an entry found without its queue: removes the entries, then looks at the
// queue hash again and writes them back if the queue exists after all (it was created
// again between the first look and the removal).
void dropStaleQueueEntry(RedisContext& context, const std::string& tag, std::function<void()> done);

}  // namespace zaqard::storage::redis
