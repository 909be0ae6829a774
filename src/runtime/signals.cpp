#include "src/runtime/signals.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "src/common/log.h"

namespace zaqard::runtime {

namespace {
sigset_t handledSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    return set;
}
}  // namespace

void blockSignals() {
    ::signal(SIGPIPE, SIG_IGN);
    sigset_t set = handledSignals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

SignalWatcher::SignalWatcher(event::Dispatcher& dispatcher, std::function<void()> onStop,
                             std::function<void()> onReopen)
    : onStop_(std::move(onStop)), onReopen_(std::move(onReopen)) {
    sigset_t set = handledSignals();
    fd_ = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd_ < 0) return;
    event_ = dispatcher.createFileEvent(fd_, event::FileEvent::Read, [this](short) { drain(); });
}

SignalWatcher::~SignalWatcher() {
    event_.reset();
    if (fd_ >= 0) ::close(fd_);
}

void SignalWatcher::drain() {
    signalfd_siginfo info;
    while (::read(fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        switch (info.ssi_signo) {
            case SIGTERM:
            case SIGINT:
                log::info(std::string("received ") +
                          (info.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT"));
                onStop_();
                break;
            case SIGHUP:
                onReopen_();
                log::info("received SIGHUP: log file reopened");
                break;
            default:
                break;
        }
    }
}

}  // namespace zaqard::runtime
