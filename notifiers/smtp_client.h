// `smtp_mode = self_local`: one blocking libesmtp session per e-mail. Call it from a
// WorkerPool thread, never from an event loop.
//
// Differences from Zaqar 15, which speaks implicit TLS (SMTP_SSL, port 465) and always
// logs in: libesmtp cannot speak implicit TLS, so zaqard talks plain SMTP upgraded with
// STARTTLS per `smtp_starttls` (required | when-offered | off) with TLS 1.2 at most (TLS
// 1.3 makes libesmtp hang: see makeTlsContext()), verifies the server against
// `smtp_ca_file` (else the system CAs) and the host name, and logs in (PLAIN or
// LOGIN via libesmtp's SASL plugins) only when smtp_user_name is set. With smtp_port
// unset libesmtp's default port (587, submission) is used.
//
// Timeouts: libesmtp's RFC defaults add up to ~25 minutes; every protocol phase gets
// `timeout` instead. libesmtp's connect() itself has no timeout (the kernel's applies).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "notifiers/delivery_outcome.h"
#include "notifiers/email_message.h"

namespace zaqard::notifiers {

enum class StarttlsMode { Required, WhenOffered, Off };

// "required" | "when-offered" | "off"; nullopt for anything else.
std::optional<StarttlsMode> parseStarttlsMode(std::string_view text);

struct SmtpSettings {
    std::string host;
    int port = 0;  // 0: libesmtp's default
    std::string userName;
    std::string password;
    StarttlsMode starttls = StarttlsMode::WhenOffered;
    std::string caFile;
    std::chrono::milliseconds timeout{10000};  // per protocol phase (minimum 1 s)
};

struct SmtpResult {
    DeliveryOutcome outcome = DeliveryOutcome::Success;
    std::string error;  // empty on success
};

// Success only when the server accepted the sender, the recipient and the message.
// 5xx replies give up; anything else that fails (connection, TLS, 4xx) is retried.
SmtpResult sendSmtp(const SmtpSettings& settings, const EmailMessage& message);

}  // namespace zaqard::notifiers
