#include "src/event/dispatcher.h"

#include <event2/thread.h>
#include <time.h>

#include "src/metrics/record.h"

namespace zaqard::event {

namespace {
constexpr int kIoPriority = 0;
constexpr int kDeferredPriority = 1;
// One loop turn in this many is timed (thread CPU time: clock_gettime of a thread clock is
// a system call, ~1 µs here, too dear for every turn).
constexpr uint32_t kTurnSampleMask = 63;

int64_t threadCpuMicros() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<int64_t>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
}

event_base* newBase() {
    // Once per process: post() crosses threads, so libevent needs its locking callbacks.
    static const int threadsReady = evthread_use_pthreads();
    (void)threadsReady;
    // The changelist folds the several changes evhttp makes to one socket within a loop
    // iteration (stop reading, start writing, ...) into one epoll_ctl: strace showed four
    // epoll_ctl calls per request without it. Safe because we never dup() a watched fd.
    event_config* config = event_config_new();
    event_config_set_flag(config, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    event_base* base = event_base_new_with_config(config);
    event_config_free(config);
    event_base_priority_init(base, 2);
    return base;
}
}  // namespace

Timer::Timer(Dispatcher& dispatcher, std::function<void()> callback)
    : callback_(std::move(callback)), event_(evtimer_new(dispatcher.base(), &Timer::onFire, this)) {
    event_priority_set(event_.get(), kIoPriority);
}

void Timer::enable(std::chrono::milliseconds delay) {
    timeval tv{static_cast<time_t>(delay.count() / 1000),
               static_cast<suseconds_t>((delay.count() % 1000) * 1000)};
    evtimer_add(event_.get(), &tv);
}

void Timer::disable() {
    evtimer_del(event_.get());
}

bool Timer::enabled() const {
    return evtimer_pending(event_.get(), nullptr) != 0;
}

void Timer::onFire(evutil_socket_t, short, void* self) {
    static_cast<Timer*>(self)->callback_();
}

FileEvent::FileEvent(Dispatcher& dispatcher, int fd, short events,
                     std::function<void(short)> callback)
    : callback_(std::move(callback)),
      event_(event_new(dispatcher.base(), fd, static_cast<short>(events | EV_PERSIST),
                       &FileEvent::onReady, this)) {
    event_priority_set(event_.get(), kIoPriority);
    event_add(event_.get(), nullptr);
}

void FileEvent::disable() {
    event_del(event_.get());
}

void FileEvent::onReady(evutil_socket_t, short what, void* self) {
    static_cast<FileEvent*>(self)->callback_(what);
}

TurnEnd::TurnEnd(Dispatcher& dispatcher, std::function<void()> callback)
    : callback_(std::move(callback)),
      event_(event_new(dispatcher.base(), -1, 0, &TurnEnd::onRun, this)) {
    event_priority_set(event_.get(), kDeferredPriority);  // rule 4
}

void TurnEnd::schedule() {
    // Already active: it runs once for everything scheduled so far (the flag spares
    // event_active its base lock on every call of a busy turn).
    if (scheduled_) return;
    scheduled_ = true;
    event_active(event_.get(), EV_TIMEOUT, 0);
}

void TurnEnd::onRun(evutil_socket_t, short, void* self) {
    auto* turnEnd = static_cast<TurnEnd*>(self);
    turnEnd->scheduled_ = false;  // what the callback schedules runs again, later this turn
    turnEnd->callback_();
}

Dispatcher::Dispatcher() : base_(newBase()) {
    postedEvent_.reset(event_new(base_.get(), -1, 0, &Dispatcher::onPosted, this));
    event_priority_set(postedEvent_.get(), kIoPriority);
    deferredEvent_.reset(event_new(base_.get(), -1, 0, &Dispatcher::onDeferred, this));
    event_priority_set(deferredEvent_.get(), kDeferredPriority);
}

Dispatcher::~Dispatcher() {
    // Run what is still deferred so that deferred deletions happen before the base goes.
    runQueue(deferred_, nullptr);
    postedEvent_.reset();
    deferredEvent_.reset();
}

void Dispatcher::run() {
    if constexpr (!metrics::kEnabled) {
        event_base_loop(base_.get(), EVLOOP_NO_EXIT_ON_EMPTY);
        return;
    }
    // Turn by turn, for the loop metrics. libevent 2.1 has no prepare/check hooks (Envoy's
    // loop_duration_us uses 2.2's evwatch), and a turn's wall time includes its wait in
    // epoll: a sampled turn is timed in thread CPU time instead, which a wait does not
    // use. Its events are the most callbacks active at once (all ready fds and due
    // timers are activated together after the wait).
    exitRequested_ = false;
    uint32_t turn = 0;
    while (!exitRequested_) {
        const bool sample = (++turn & kTurnSampleMask) == 0;
        int64_t before = 0;
        if (sample) {
            event_base_get_max_events(base_.get(), EVENT_BASE_COUNT_ACTIVE, 1);
            before = threadCpuMicros();
        }
        int rc = event_base_loop(base_.get(), EVLOOP_ONCE | EVLOOP_NO_EXIT_ON_EMPTY);
        metrics::loopTurn();
        if (sample) {
            int64_t busy = threadCpuMicros() - before;
            int events = event_base_get_max_events(base_.get(), EVENT_BASE_COUNT_ACTIVE, 1);
            metrics::loopTurnSample(busy, static_cast<uint64_t>(events < 0 ? 0 : events));
        }
        if (rc < 0) break;
    }
}

void Dispatcher::exit() {
    post([this] {
        exitRequested_ = true;
        event_base_loopexit(base_.get(), nullptr);
    });
}

void Dispatcher::post(std::function<void()> work) {
    {
        std::lock_guard<std::mutex> guard(postedLock_);
        posted_.push_back(std::move(work));
    }
    event_active(postedEvent_.get(), 0, 0);
}

void Dispatcher::defer(std::function<void()> work) {
    deferred_.push_back(std::move(work));
    event_active(deferredEvent_.get(), 0, 0);
}

void Dispatcher::runQueue(std::vector<std::function<void()>>& queue, std::mutex* lock) {
    std::vector<std::function<void()>> batch;
    if (lock) {
        std::lock_guard<std::mutex> guard(*lock);
        batch.swap(queue);
    } else {
        batch.swap(queue);
    }
    for (auto& work : batch) work();
}

void Dispatcher::onPosted(evutil_socket_t, short, void* self) {
    auto* dispatcher = static_cast<Dispatcher*>(self);
    dispatcher->runQueue(dispatcher->posted_, &dispatcher->postedLock_);
}

void Dispatcher::onDeferred(evutil_socket_t, short, void* self) {
    auto* dispatcher = static_cast<Dispatcher*>(self);
    dispatcher->runQueue(dispatcher->deferred_, nullptr);
}

}  // namespace zaqard::event
