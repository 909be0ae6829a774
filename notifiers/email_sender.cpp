#include "notifiers/email_sender.h"

#include <algorithm>

#include "notifiers/mail_command.h"

namespace zaqard::notifiers {

Result<EmailSenderOptions> emailSenderOptions(const config::NotificationOptions& options) {
    EmailSenderOptions out;
    if (options.smtp_mode == "third_part") {
        out.mode = SmtpMode::ThirdPart;
    } else if (options.smtp_mode == "self_local") {
        out.mode = SmtpMode::SelfLocal;
    } else {
        return Error{ErrorKind::BadRequest,
                     "[notification] smtp_mode must be third_part or self_local"};
    }
    auto starttls = parseStarttlsMode(options.smtp_starttls);
    if (!starttls) {
        return Error{ErrorKind::BadRequest,
                     "[notification] smtp_starttls must be required, when-offered or off"};
    }
    out.command = options.smtp_command;
    out.smtp.host = options.smtp_host;
    out.smtp.port = options.smtp_port;
    out.smtp.userName = options.smtp_user_name;
    out.smtp.password = options.smtp_user_password;
    out.smtp.starttls = *starttls;
    out.smtp.caFile = options.smtp_ca_file;
    out.workers = static_cast<size_t>(std::clamp(options.max_notifier_workers, 1, 8));
    return out;
}

EmailSender::EmailSender(EmailSenderOptions options)
    : options_(std::move(options)), pool_(std::make_unique<WorkerPool>(options_.workers)) {}

EmailSender::~EmailSender() {
    pool_.reset();
}

EmailResult EmailSender::sendNow(const EmailMessage& message) const {
    if (options_.mode == SmtpMode::ThirdPart) {
        auto result = runMailCommand(options_.command, message.render(), options_.commandTimeout);
        return {result.outcome, result.error};
    }
    auto result = sendSmtp(options_.smtp, message);
    return {result.outcome, result.error};
}

void EmailSender::send(EmailMessage message, event::Dispatcher& dispatcher, Callback callback) {
    pool_->submit([this, message = std::move(message), &dispatcher,
                   callback = std::move(callback)]() mutable {
        EmailResult result = sendNow(message);
        dispatcher.post([callback = std::move(callback), result = std::move(result)] {
            if (callback) callback(result);
        });
    });
}

}  // namespace zaqard::notifiers
