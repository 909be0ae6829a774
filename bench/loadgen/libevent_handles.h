// RAII owners for the libevent handles the load generator uses.
#pragma once

#include <event2/bufferevent.h>
#include <event2/event.h>

#include <memory>

namespace zqbench {

struct EventBaseDeleter {
    void operator()(event_base* b) const { event_base_free(b); }
};
struct EventDeleter {
    void operator()(event* e) const { event_free(e); }
};
struct BufferEventDeleter {
    void operator()(bufferevent* b) const { bufferevent_free(b); }
};
using EventBasePtr = std::unique_ptr<event_base, EventBaseDeleter>;
using EventPtr = std::unique_ptr<event, EventDeleter>;
using BufferEventPtr = std::unique_ptr<bufferevent, BufferEventDeleter>;

}  // namespace zqbench
