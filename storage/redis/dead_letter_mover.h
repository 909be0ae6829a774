// Drains a queue's dead-letter outbox into its dead-letter queue. Scripts move a
// message out of its queue into the outbox (same tag) atomically; this then posts it
// into the DLQ (another tag: dead_letter_post, idempotent by message id through the
// DLQ's dedup set z:dd:{DLQ}), indexes the DLQ when that created it, and only afterwards
// removes it from the outbox, so a crash in between re-posts it later (a no-op) instead
// of losing it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "storage/redis/redis_context.h"

namespace zaqard::storage::redis {

class DeadLetterMover {
  public:
    explicit DeadLetterMover(RedisContext& context);

    // Starts draining the outbox of the queue with tag `tag` unless already draining;
    // `drained` (optional) runs when that drain ends, emptied or stopped by an error.
    void flush(const std::string& tag, std::function<void()> drained = {});
    bool idle() const { return active_.empty(); }

  private:
    void step(const std::string& tag);
    // The drain of `tag` ended: forget it and run its waiters.
    void finish(const std::string& tag);

    RedisContext& context_;
    // Tags being drained, each with the callbacks waiting for its drain to end.
    std::map<std::string, std::vector<std::function<void()>>> active_;
    // Callbacks may outlive the mover (deferred failures); they check this first.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace zaqard::storage::redis
