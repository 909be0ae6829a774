#include "transports/websocket/uv_loop_bridge.h"

namespace zaqard::websocket {

UvLoopBridge::UvLoopBridge(event::Dispatcher& dispatcher) : dispatcher_(dispatcher) {
    uv_loop_init(&loop_);
    backendEvent_ = dispatcher_.createFileEvent(uv_backend_fd(&loop_), event::FileEvent::Read,
                                                [this](short) { runOnce(); });
    timer_ = dispatcher_.createTimer([this] { runOnce(); });
}

UvLoopBridge::~UvLoopBridge() {
    backendEvent_.reset();
    timer_.reset();
    drain();
    uv_loop_close(&loop_);
}

void UvLoopBridge::kick() {
    if (kickPending_) return;
    kickPending_ = true;
    dispatcher_.defer([this, alive = std::weak_ptr<char>(alive_)] {
        if (alive.expired()) return;
        kickPending_ = false;
        runOnce();
    });
}

void UvLoopBridge::drain() {
    // Bounded: a handle that never closes must not hang shutdown.
    for (int i = 0; i < 1000 && uv_loop_alive(&loop_); ++i) uv_run(&loop_, UV_RUN_NOWAIT);
}

void UvLoopBridge::runOnce() {
    uv_run(&loop_, UV_RUN_NOWAIT);
    armTimer();
}

void UvLoopBridge::armTimer() {
    int timeout = uv_backend_timeout(&loop_);  // -1: no timer due, 0: work pending now
    if (timeout < 0) {
        timer_->disable();
        return;
    }
    timer_->enable(std::chrono::milliseconds(timeout));
}

}  // namespace zaqard::websocket
