// Process signals, handled on the main thread through a signalfd watched by its
// Dispatcher: SIGTERM/SIGINT ask for a stop, SIGHUP reopens the log file. The signals are
// blocked in every thread (blockSignals() runs before any thread starts), so none of them
// interrupts a shard.
#pragma once

#include <functional>

#include "src/event/dispatcher.h"

namespace zaqard::runtime {

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread (and threads it starts later)
// and ignores SIGPIPE (a client closing its socket must not kill the process).
void blockSignals();

class SignalWatcher {
  public:
    SignalWatcher(event::Dispatcher& dispatcher, std::function<void()> onStop,
                  std::function<void()> onReopen);
    ~SignalWatcher();
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

    bool ok() const { return fd_ >= 0; }

  private:
    void drain();

    int fd_ = -1;
    std::function<void()> onStop_;
    std::function<void()> onReopen_;
    event::FileEventPtr event_;
};

}  // namespace zaqard::runtime
