// The event loop of one shard: a small interface over libevent's event_base, after Envoy's
// source/common/event. Everything attached to a shard (listeners, Redis connections,
// timers) runs on its dispatcher's thread.
//
// Loop ordering rules:
//  1. Callbacks run on the dispatcher thread only; post() is the one thread-safe entry.
//  2. Two priorities: I/O and timers run at priority 0; deferred work (deferDelete,
//     end-of-iteration flushes) runs at priority 1, i.e. after all I/O of the iteration.
//  3. Never free an object from inside its own callback: hand it to deferDelete().
//  4. A TurnEnd scheduled from a callback runs after the callbacks already made active in
//     this turn and before the next wait for I/O: the place to flush what the turn's
//     callbacks gathered (the coalesced Redis calls) with no timer. It runs at priority 1,
//     libevent's default, where evhttp's and hiredis' own events also run (they are not
//     created here): libevent appends it to that active queue and drains the queue in the
//     same pass, so it comes after every HTTP request read in this turn and no later than
//     hiredis' write event. At priority 0 it would preempt the priority-1 queue after the
//     first callback that scheduled it (libevent's event_continue), one request per flush.
#pragma once

#include <event2/event.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace zaqard::event {

struct EventBaseDeleter {
    void operator()(event_base* base) const { event_base_free(base); }
};
struct EventDeleter {
    void operator()(::event* ev) const { event_free(ev); }
};
using EventBasePtr = std::unique_ptr<event_base, EventBaseDeleter>;
using EventPtr = std::unique_ptr<::event, EventDeleter>;

class Dispatcher;

// A one-shot or repeating timer owned by its creator; destroying it cancels it.
class Timer {
  public:
    Timer(Dispatcher& dispatcher, std::function<void()> callback);
    void enable(std::chrono::milliseconds delay);
    void disable();
    bool enabled() const;

  private:
    static void onFire(evutil_socket_t, short, void* self);
    std::function<void()> callback_;
    EventPtr event_;
};
using TimerPtr = std::unique_ptr<Timer>;

// A file descriptor watched for readiness; destroying it stops watching.
class FileEvent {
  public:
    enum : short { Read = EV_READ, Write = EV_WRITE };
    FileEvent(Dispatcher& dispatcher, int fd, short events, std::function<void(short)> callback);
    // Stops watching now; safe inside its own callback (then deferDelete the object).
    void disable();

  private:
    static void onReady(evutil_socket_t, short what, void* self);
    std::function<void(short)> callback_;
    EventPtr event_;
};
using FileEventPtr = std::unique_ptr<FileEvent>;

// Runs its callback once at the end of the current turn (rule 4) each time it was
// scheduled; scheduling it again before it ran does nothing. Destroying it cancels it.
class TurnEnd {
  public:
    TurnEnd(Dispatcher& dispatcher, std::function<void()> callback);
    void schedule();

  private:
    static void onRun(evutil_socket_t, short, void* self);
    std::function<void()> callback_;
    EventPtr event_;
    bool scheduled_ = false;
};
using TurnEndPtr = std::unique_ptr<TurnEnd>;

class Dispatcher {
  public:
    Dispatcher();
    ~Dispatcher();
    Dispatcher(const Dispatcher&) = delete;
    Dispatcher& operator=(const Dispatcher&) = delete;

    event_base* base() const { return base_.get(); }

    // Runs until exit() is called.
    void run();
    // Thread-safe: makes run() return after the current iteration.
    void exit();

    TimerPtr createTimer(std::function<void()> callback) {
        return std::make_unique<Timer>(*this, std::move(callback));
    }
    FileEventPtr createFileEvent(int fd, short events, std::function<void(short)> callback) {
        return std::make_unique<FileEvent>(*this, fd, events, std::move(callback));
    }

    TurnEndPtr createTurnEnd(std::function<void()> callback) {
        return std::make_unique<TurnEnd>(*this, std::move(callback));
    }

    // Thread-safe: runs `work` on this dispatcher's thread soon.
    void post(std::function<void()> work);

    // Runs `work` on this thread after the current batch of I/O callbacks: the place to
    // free objects whose callback is still on the stack.
    void defer(std::function<void()> work);
    template <typename T>
    void deferDelete(std::unique_ptr<T> object) {
        auto shared = std::shared_ptr<T>(std::move(object));
        defer([shared]() mutable { shared.reset(); });
    }

  private:
    static void onPosted(evutil_socket_t, short, void* self);
    static void onDeferred(evutil_socket_t, short, void* self);
    void runQueue(std::vector<std::function<void()>>& queue, std::mutex* lock);

    EventBasePtr base_;
    EventPtr postedEvent_;
    EventPtr deferredEvent_;
    std::mutex postedLock_;
    std::vector<std::function<void()>> posted_;
    std::vector<std::function<void()>> deferred_;
    bool exitRequested_ = false;  // loop thread only (run() goes turn by turn)
};

}  // namespace zaqard::event
