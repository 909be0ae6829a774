// Waiters; see waiters.h for the rules.
#include "src/api/waiters.h"

#include <algorithm>

#include "src/common/clock.h"
#include "src/metrics/record.h"

namespace zaqard::api {

namespace {
int64_t nowMs() {
    return monotonicMicros() / 1000;
}
// The queue stays marked a little past a waiter's deadline, so posts still wake the
// final try's neighbours; the mark is only ever a hint (a stale one costs a PUBLISH).
constexpr int64_t kMarkSlackMs = 1000;
// Floor of the due-time timer: a store that keeps answering "now" is retried at this
// pace, never in a tight loop.
constexpr int64_t kMinDueMs = 20;

std::string groupKey(const storage::QueueRef& queue) {
    // Project ids and names hold no newline (validated before any handler runs).
    return (queue.kind == storage::ResourceKind::Topic ? "t\n" : "q\n") + queue.project + "\n" +
           queue.name;
}
}  // namespace

struct Waiters::Waiter {
    Kind kind = Kind::List;
    Run run;
    std::function<void()> abandon;
    std::shared_ptr<Abandonment> abandonment;
    Abandonment::Token token = 0;
    event::TimerPtr deadline;
    int64_t deadlineMs = 0;
    uint64_t seen = 0;     // the group's wake count when its last try started
    bool running = false;  // a try is out
    bool expired = false;  // the deadline passed: the next try is final
    bool done = false;     // answered or abandoned: gone from the group
};

struct Waiters::Group {
    storage::QueueRef queue;
    std::string key;
    std::list<WaiterPtr> waiters;  // arrival order
    std::unique_ptr<storage::PubSubListener> watch;
    event::TimerPtr due;
    int64_t dueAtMs = 0;  // 0: no due timer
    uint64_t wakes = 0;
    bool chainBusy = false;  // a claim waiter of the chain is trying
    bool releasing = false;  // a release check is deferred
};

Waiters::Waiters(event::Dispatcher& dispatcher, storage::MessageStore& messages)
    : dispatcher_(dispatcher), messages_(messages) {}

Waiters::~Waiters() {
    *alive_ = false;
    for (auto& [key, group] : groups_) {
        for (auto& waiter : group->waiters) {
            waiter->done = true;
            waiter->deadline.reset();
            if (waiter->abandonment) waiter->abandonment->forget(waiter->token);
        }
        group->watch.reset();
        group->due.reset();
    }
    if (count_) metrics::longPollWaiters(-static_cast<int64_t>(count_));
}

void Waiters::wait(const storage::QueueRef& queue, Kind kind, std::chrono::milliseconds wait,
                   Run run, std::function<void()> abandon,
                   const std::shared_ptr<Abandonment>& abandonment) {
    if (draining_ || wait.count() <= 0) {
        run(Attempt{true, 0}, [](Outcome) {});
        return;
    }
    std::string key = groupKey(queue);
    GroupPtr& slot = groups_[key];
    if (!slot) {
        slot = std::make_shared<Group>();
        slot->queue = queue;
        slot->key = key;
        std::weak_ptr<Group> weak = slot;
        std::weak_ptr<bool> alive = alive_;
        slot->watch = messages_.watch(queue, [this, weak, alive] {
            if (alive.expired()) return;
            if (auto group = weak.lock()) wake(group);
        });
        slot->due = dispatcher_.createTimer([this, weak] {
            if (auto group = weak.lock()) {
                group->dueAtMs = 0;
                wake(group);
            }
        });
    }
    GroupPtr group = slot;
    auto waiter = std::make_shared<Waiter>();
    waiter->kind = kind;
    waiter->run = std::move(run);
    waiter->abandon = std::move(abandon);
    waiter->abandonment = abandonment;
    waiter->deadlineMs = nowMs() + wait.count();
    std::weak_ptr<Waiter> weakWaiter = waiter;
    std::weak_ptr<Group> weakGroup = group;
    waiter->deadline = dispatcher_.createTimer([this, weakWaiter, weakGroup] {
        auto w = weakWaiter.lock();
        auto g = weakGroup.lock();
        if (w && g) expire(g, w);
    });
    waiter->deadline->enable(wait);
    group->waiters.push_back(waiter);
    ++count_;
    metrics::longPollWaiters(1);
    if (abandonment) {
        std::weak_ptr<bool> alive = alive_;
        waiter->token = abandonment->onAbandon([this, alive, weakWaiter, weakGroup] {
            if (alive.expired()) return;
            auto w = weakWaiter.lock();
            auto g = weakGroup.lock();
            if (!w || !g || w->done) return;
            w->abandonment.reset();  // its handler is running: nothing to forget
            remove(g, w);
            if (w->abandon) w->abandon();
        });
        if (waiter->done) return;  // the client had already left
    }
    // The first try runs at once, outside the claim chain: it usually finds messages.
    start(group, waiter, false);
}

void Waiters::start(const GroupPtr& group, const WaiterPtr& waiter, bool chain) {
    waiter->running = true;
    waiter->seen = group->wakes;
    if (chain) group->chainBusy = true;
    Attempt attempt;
    attempt.final = waiter->expired;
    attempt.markMs = std::max<int64_t>(1, waiter->deadlineMs - nowMs()) + kMarkSlackMs;
    std::weak_ptr<bool> alive = alive_;
    waiter->run(attempt, [this, alive, group, waiter, chain](Outcome outcome) {
        if (alive.expired()) return;
        finished(group, waiter, chain, outcome);
    });
}

void Waiters::finished(const GroupPtr& group, const WaiterPtr& waiter, bool chain,
                       Outcome outcome) {
    waiter->running = false;
    if (chain) group->chainBusy = false;
    if (!waiter->done) {
        if (outcome.answered) {
            remove(group, waiter);
        } else {
            if (outcome.wakeInMs >= 0) scheduleDue(group, outcome.wakeInMs);
            if (waiter->kind == Kind::Claim) {
                // Nothing claimable as of this try: so for every claimer that arrived
                // before a wake-up this try already covered.
                for (auto& other : group->waiters)
                    if (other->kind == Kind::Claim && !other->running)
                        other->seen = std::max(other->seen, waiter->seen);
            }
            if (waiter->expired || (waiter->kind == Kind::List && waiter->seen < group->wakes))
                start(group, waiter, false);
        }
    }
    pumpClaims(group);
    releaseIfEmpty(group);
}

void Waiters::wake(const GroupPtr& group) {
    ++group->wakes;
    for (auto& waiter : std::list<WaiterPtr>(group->waiters))
        if (waiter->kind == Kind::List && !waiter->running && !waiter->done)
            start(group, waiter, false);
    pumpClaims(group);
}

void Waiters::pumpClaims(const GroupPtr& group) {
    if (group->chainBusy) return;
    for (auto& waiter : group->waiters) {
        if (waiter->kind != Kind::Claim || waiter->done) continue;
        if (waiter->running) return;  // its own try covers the wake-ups so far
        if (waiter->seen < group->wakes) {
            start(group, waiter, true);
            return;
        }
    }
}

void Waiters::expire(const GroupPtr& group, const WaiterPtr& waiter) {
    if (waiter->done) return;
    waiter->expired = true;
    if (!waiter->running) start(group, waiter, false);
}

void Waiters::remove(const GroupPtr& group, const WaiterPtr& waiter) {
    if (waiter->done) return;
    waiter->done = true;
    waiter->deadline.reset();
    if (waiter->abandonment) waiter->abandonment->forget(waiter->token);
    group->waiters.remove(waiter);
    --count_;
    metrics::longPollWaiters(-1);
    releaseIfEmpty(group);
}

void Waiters::scheduleDue(const GroupPtr& group, int64_t wakeInMs) {
    int64_t at = nowMs() + std::max(wakeInMs, kMinDueMs);
    if (group->dueAtMs != 0 && group->dueAtMs <= at) return;
    group->dueAtMs = at;
    group->due->enable(std::chrono::milliseconds(at - nowMs()));
}

// A group without waiters lets its watch go (unsubscribes), from the loop: never inside
// the watch's or a try's own callback.
void Waiters::releaseIfEmpty(const GroupPtr& group) {
    if (!group->waiters.empty() || group->releasing) return;
    group->releasing = true;
    std::weak_ptr<bool> alive = alive_;
    dispatcher_.defer([this, alive, group] {
        if (alive.expired()) return;
        group->releasing = false;
        if (!group->waiters.empty()) return;
        auto it = groups_.find(group->key);
        if (it == groups_.end() || it->second != group) return;
        // Tries still out hold the group; they find it gone from the map and stop there.
        group->due->disable();
        group->watch.reset();
        groups_.erase(it);
    });
}

void Waiters::finishAll() {
    draining_ = true;
    std::vector<std::pair<GroupPtr, WaiterPtr>> all;
    for (auto& [key, group] : groups_)
        for (auto& waiter : group->waiters) all.emplace_back(group, waiter);
    for (auto& [group, waiter] : all) expire(group, waiter);
}

}  // namespace zaqard::api
