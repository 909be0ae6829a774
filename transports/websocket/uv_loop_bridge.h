// Runs a libuv loop nested inside a shard's libevent loop, on the same thread.
//
// Debian's libwebsockets has no libevent event-lib and no external-poll support, but it
// can run on a *foreign* libuv loop. We own that uv_loop_t and let libevent drive it:
// uv_backend_fd() is an epoll fd that becomes readable when any uv handle has work, and
// uv_backend_timeout() tells when uv's next timer is due. On either we run one
// non-blocking uv iteration. libuv applies poll changes lazily (on its next iteration),
// so after calling into lws from a libevent callback, call kick().
#pragma once

#include <uv.h>

#include <memory>

#include "src/event/dispatcher.h"

namespace zaqard::websocket {

class UvLoopBridge {
  public:
    explicit UvLoopBridge(event::Dispatcher& dispatcher);
    ~UvLoopBridge();
    UvLoopBridge(const UvLoopBridge&) = delete;
    UvLoopBridge& operator=(const UvLoopBridge&) = delete;

    uv_loop_t* loop() { return &loop_; }

    // Runs one non-blocking uv iteration soon (deferred to the end of the current libevent
    // iteration, so many kicks in one iteration cost one uv_run).
    void kick();
    // Runs uv iterations until every handle is closed (after lws_context_destroy()).
    void drain();

  private:
    void runOnce();
    void armTimer();

    event::Dispatcher& dispatcher_;
    uv_loop_t loop_{};
    event::FileEventPtr backendEvent_;
    event::TimerPtr timer_;
    bool kickPending_ = false;
    // Expires with the bridge: a kick still deferred in the dispatcher when the bridge is
    // destroyed (the dispatcher outlives it and runs its deferred work on destruction)
    // must not call into freed memory.
    std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace zaqard::websocket
