// Drains a queue's dead-letter outbox into its dead-letter queue. Scripts move a
// message out of its queue into the outbox (same tag) atomically; this then posts it
// into the DLQ (another tag: dead_letter_post, idempotent by message id through the
// DLQ's dedup set z:dd:{DLQ}), indexes the DLQ when that created it, and only afterwards
// removes it from the outbox, so a crash in between re-posts it later (a no-op) instead
// of losing it.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "storage/redis/redis_context.h"

namespace zaqard::storage::redis {

class DeadLetterMover {
  public:
    explicit DeadLetterMover(RedisContext& context);

    // Starts draining the outbox of the queue with tag `tag` unless already draining.
    void flush(const std::string& tag);
    bool idle() const { return active_.empty(); }

  private:
    void step(const std::string& tag);

    RedisContext& context_;
    std::set<std::string> active_;
    // Callbacks may outlive the mover (deferred failures); they check this first.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace zaqard::storage::redis
