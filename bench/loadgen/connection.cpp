// See connection.h.
#include "loadgen/connection.h"

#include "loadgen/clock.h"

namespace zqbench {
namespace {
constexpr timeval kReconnectDelay{0, 100'000};
}

Connection::Connection(event_base* base, size_t pipeline, Listener& listener)
    : listener_(listener),
      pipeline_(pipeline == 0 ? 1 : pipeline),
      reconnectTimer_(evtimer_new(base, &Connection::onReconnect, this)) {}

void Connection::stopAndForget() {
    closing_ = true;
    connected_ = false;
    evtimer_del(reconnectTimer_.get());
    inflight_.clear();
}

void Connection::failInflightAndScheduleReconnect() {
    std::deque<Request> lost;
    lost.swap(inflight_);
    const uint64_t now = nowNs();
    for (Request& r : lost) {
        listener_.onResponse(*this, std::move(r), Response{0, {}, now});
        if (closing_) return;
    }
    if (!closing_) evtimer_add(reconnectTimer_.get(), &kReconnectDelay);
}

bool Connection::reconnectPending() const {
    return evtimer_pending(reconnectTimer_.get(), nullptr) != 0;
}

void Connection::onReconnect(evutil_socket_t, short, void* self) {
    auto* c = static_cast<Connection*>(self);
    if (c->closing_) return;
    ++c->reconnects_;
    c->connect();
}

}  // namespace zqbench
