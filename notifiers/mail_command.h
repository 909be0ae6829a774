// `smtp_mode = third_part`: hand the RFC 822 text to a local mailer such as
// `/usr/sbin/sendmail -t -oi` on its stdin. Blocking: call it from a WorkerPool thread.
//
// The command is split on spaces with no shell (as Zaqar does; empty items from repeated
// spaces are dropped) and searched in PATH. Beyond Zaqar (which never checks): the exit
// status is the result, and a mailer that does not finish within `timeout` is killed.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "notifiers/delivery_outcome.h"

namespace zaqard::notifiers {

struct MailCommandResult {
    DeliveryOutcome outcome = DeliveryOutcome::Success;
    std::string error;  // empty on success
};

std::vector<std::string> splitMailCommand(std::string_view command);

// Success on exit status 0. EX_TEMPFAIL (75), signals, timeouts and failures to start
// are worth retrying; any other exit status gives up.
MailCommandResult runMailCommand(const std::string& command, std::string_view input,
                                 std::chrono::milliseconds timeout);

}  // namespace zaqard::notifiers
