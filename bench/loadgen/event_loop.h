// The runner's one libevent loop. A websocket run puts zaqard's Dispatcher on it, because
// libwebsockets runs on a libuv loop nested in libevent through the server's own
// UvLoopBridge (transports/websocket/uv_loop_bridge.h), which is built on the Dispatcher.
// An HTTP run keeps a plain event_base as before: no locking callbacks, no priorities.
#pragma once

#include <memory>

#include "loadgen/libevent_handles.h"
#include "src/event/dispatcher.h"

namespace zqbench {

class EventLoop {
  public:
    explicit EventLoop(bool withDispatcher) {
        if (withDispatcher) {
            dispatcher_ = std::make_unique<zaqard::event::Dispatcher>();
            base_ = dispatcher_->base();
        } else {
            own_.reset(event_base_new());
            base_ = own_.get();
        }
    }
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    event_base* get() const { return base_; }
    zaqard::event::Dispatcher* dispatcher() const { return dispatcher_.get(); }

  private:
    std::unique_ptr<zaqard::event::Dispatcher> dispatcher_;
    EventBasePtr own_;
    event_base* base_ = nullptr;
};

}  // namespace zqbench
