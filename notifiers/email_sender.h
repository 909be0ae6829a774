// Sends e-mails off the event loops: a small WorkerPool runs the blocking transport
// (the `smtp_command` mailer or a libesmtp session) and posts the result back to the
// caller's Dispatcher.
//
// Lifetime: callbacks run on the given dispatcher's thread. The destructor drops queued
// e-mails and waits for the ones in progress (bounded by the timeouts); destroy the
// sender before the dispatchers it posts to, and after their loops stopped.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "notifiers/delivery_outcome.h"
#include "notifiers/email_message.h"
#include "notifiers/smtp_client.h"
#include "notifiers/worker_pool.h"
#include "src/common/result.h"
#include "src/config/config.h"
#include "src/event/dispatcher.h"

namespace zaqard::notifiers {

enum class SmtpMode { ThirdPart, SelfLocal };

struct EmailSenderOptions {
    SmtpMode mode = SmtpMode::ThirdPart;
    std::string command = "/usr/sbin/sendmail -t -oi";  // third_part
    std::chrono::milliseconds commandTimeout{30000};    // third_part
    SmtpSettings smtp;                                  // self_local
    size_t workers = 4;
};

// From `[notification]`: smtp_mode, smtp_command, smtp_host/port/user_name/
// user_password, smtp_starttls, smtp_ca_file; workers = max_notifier_workers capped at 8.
// A BadRequest error names the bad option.
Result<EmailSenderOptions> emailSenderOptions(const config::NotificationOptions& options);

struct EmailResult {
    DeliveryOutcome outcome = DeliveryOutcome::Success;
    std::string error;
};

class EmailSender {
  public:
    using Callback = std::function<void(const EmailResult&)>;

    explicit EmailSender(EmailSenderOptions options);
    ~EmailSender();

    // Thread-safe; `callback` runs on `dispatcher`'s thread.
    void send(EmailMessage message, event::Dispatcher& dispatcher, Callback callback);

    // The blocking send itself, on the calling thread.
    EmailResult sendNow(const EmailMessage& message) const;

  private:
    EmailSenderOptions options_;
    std::unique_ptr<WorkerPool> pool_;
};

}  // namespace zaqard::notifiers
