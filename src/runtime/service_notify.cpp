// See service_notify.h. libsystemd does the protocol (socket address forms, credentials);
// this file only words the notices and reports a failed send.
#include "src/runtime/service_notify.h"

#include <cstdlib>
#include <cstring>

#include "src/common/log.h"

#if ZAQARD_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace zaqard::runtime {

namespace {

void send(const std::string& state) {
#if ZAQARD_HAVE_SYSTEMD
    // 0: keep $NOTIFY_SOCKET, STOPPING=1 is sent later through it.
    int rc = sd_notify(0, state.c_str());
    if (rc < 0) log::warning("sd_notify failed: " + std::string(std::strerror(-rc)));
#else
    static bool told = false;
    if (!told && std::getenv("NOTIFY_SOCKET")) {
        told = true;
        log::warning(
            "NOTIFY_SOCKET is set but zaqard was built without libsystemd "
            "(libsystemd-dev): no readiness notice is sent");
    }
    (void)state;
#endif
}

}  // namespace

void notifyReady(const std::string& status) {
    // One line per assignment; a newline inside STATUS would start another one.
    std::string oneLine = status;
    for (char& c : oneLine)
        if (c == '\n') c = ' ';
    send("READY=1\nSTATUS=" + oneLine);
}

void notifyStopping() {
    send("STOPPING=1\nSTATUS=draining requests in flight");
}

}  // namespace zaqard::runtime
