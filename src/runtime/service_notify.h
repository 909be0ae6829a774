// Readiness and stop notices to the service manager (systemd's Type=notify): sd_notify(3)
// from libsystemd, sent to $NOTIFY_SOCKET. Without $NOTIFY_SOCKET (not started by systemd)
// every call does nothing. Built without libsystemd (ZAQARD_HAVE_SYSTEMD unset), they do
// nothing either and zaqard says so once when $NOTIFY_SOCKET is set.
#pragma once

#include <string>

namespace zaqard::runtime {

// READY=1 with a STATUS= line: every shard listens and Redis answered.
void notifyReady(const std::string& status);
// STOPPING=1: a stop signal arrived, the shards drain.
void notifyStopping();

}  // namespace zaqard::runtime
