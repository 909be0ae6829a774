// Dead-letter redrive (docs/api.md, "Dead-letter redrive"): moves messages of a
// dead-letter queue back to their source queue in bounded batches. Each batch is one
// redrive_take on the DLQ (messages into the DLQ's outbox, addressed to the source),
// drained by the dead-letter mover into the source before the next batch starts
// (RedisContext::runQueueScript waits for it), so a crash between the two steps leaves
// the messages in the outbox, where the sweeper finds them. With a rate, the next batch
// waits on a timer: no busy loop, nothing runs between batches.
#pragma once

#include <cstdint>
#include <map>
#include <memory>

#include "storage/redis/redis_context.h"
#include "storage/storage.h"

namespace zaqard::storage::redis {

class Redriver {
  public:
    explicit Redriver(RedisContext& context);
    ~Redriver();
    Redriver(const Redriver&) = delete;
    Redriver& operator=(const Redriver&) = delete;

    // Answers once every batch ran (or the first failure: what moved before stays moved).
    void start(const RedriveRequest& request, Callback<RedriveResult> done);

  private:
    struct Task;
    void step(uint64_t id);
    void finish(uint64_t id, Result<RedriveResult> result);

    RedisContext& context_;
    // Running redrives; destroyed (timers cancelled) with the store.
    std::map<uint64_t, std::unique_ptr<Task>> tasks_;
    uint64_t nextId_ = 0;
    // Replies may arrive after the store is gone; they check this first.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace zaqard::storage::redis
