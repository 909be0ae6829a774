// Long polling (docs/api.md "Long polling"): claim and list requests with `wait` that found
// nothing park here until the queue may have something for them, their deadline passes,
// or their client leaves. One per shard, loop thread only; it knows no transport and no
// Redis: wake-ups come from storage (MessageStore::watch), disconnects from the transport
// (Abandonment), time from the shard's Dispatcher.
//
// A waiting request costs its api::Call, a deadline timer and ~100 bytes here; no CPU
// while nothing happens. Per queue (a Group), waiters share one watch (one pub/sub
// channel subscription) and one timer for the earliest time a delay or a claim ends.
//
// Who retries when the queue is woken:
//  - every list waiter (a listing takes nothing away), each as soon as its previous
//    attempt is back;
//  - claim waiters one at a time, in arrival order: the first one retries; if it got
//    messages the next one retries, and so on; the first that finds nothing ends the
//    chain (the others would find nothing either). So when one message arrives, the
//    longest-waiting claimer of this shard gets it.
// A wake-up that arrives while an attempt is out is not lost: each waiter remembers the
// wake-up count its last attempt saw, and is retried while that is behind.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include "src/api/request.h"
#include "src/event/dispatcher.h"
#include "storage/storage.h"

namespace zaqard::api {

class Waiters {
  public:
    enum class Kind { List, Claim };
    // One try of a waiting request: `final` means answer whatever is found (the deadline
    // passed, or the shard stops); otherwise `markMs` is what to pass as the store call's
    // waitMs (how long the queue should stay marked for wake-ups).
    struct Attempt {
        bool final = false;
        int64_t markMs = 0;
    };
    // What the try did: answered (messages, an error, or a final empty answer), or found
    // nothing (then wakeInMs >= 0 says when a delay or a claim of the queue ends).
    struct Outcome {
        bool answered = true;
        int64_t wakeInMs = -1;
    };
    using Run = std::function<void(Attempt, std::function<void(Outcome)>)>;

    Waiters(event::Dispatcher& dispatcher, storage::MessageStore& messages);
    ~Waiters();
    Waiters(const Waiters&) = delete;
    Waiters& operator=(const Waiters&) = delete;

    // Runs `run` now, and again whenever the queue may have something, until one try
    // answers; past `wait` a final try answers whatever it finds. When the client leaves
    // (`abandonment`, may be null) the waiter goes at once and `abandon` answers for it
    // (without the store: the answer has nobody to reach).
    void wait(const storage::QueueRef& queue, Kind kind, std::chrono::milliseconds wait, Run run,
              std::function<void()> abandon, const std::shared_ptr<Abandonment>& abandonment);

    // Graceful stop: every waiter makes its final try now; later waits do not wait.
    void finishAll();

    // Requests waiting right now (tests, metrics).
    size_t size() const { return count_; }

  private:
    struct Waiter;
    struct Group;
    using WaiterPtr = std::shared_ptr<Waiter>;
    using GroupPtr = std::shared_ptr<Group>;

    void start(const GroupPtr& group, const WaiterPtr& waiter, bool chain);
    void finished(const GroupPtr& group, const WaiterPtr& waiter, bool chain, Outcome outcome);
    void wake(const GroupPtr& group);
    void pumpClaims(const GroupPtr& group);
    void remove(const GroupPtr& group, const WaiterPtr& waiter);
    void expire(const GroupPtr& group, const WaiterPtr& waiter);
    void scheduleDue(const GroupPtr& group, int64_t wakeInMs);
    void releaseIfEmpty(const GroupPtr& group);

    event::Dispatcher& dispatcher_;
    storage::MessageStore& messages_;
    std::unordered_map<std::string, GroupPtr> groups_;
    size_t count_ = 0;
    bool draining_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace zaqard::api
