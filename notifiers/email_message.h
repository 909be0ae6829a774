// The e-mails of `mailto:` subscribers (notifications.md §7), in the format Zaqar 15
// produces (headers in this order and case, body = the payload JSON):
//
//   Content-Type: text/plain; charset="us-ascii"
//   MIME-Version: 1.0
//   Content-Transfer-Encoding: 7bit
//   to: someone@example.com
//   from: <options.from>
//   subject: <?subject= of the URI, else options.subject>
//
//   {"ttl": 300, "body": ..., "Message_Type": "Notification", "queue_name": "q1"}
//
// Beyond Zaqar: `?subject=` is honoured (Z15 crashes on it); CR/LF in header values
// become spaces; non-ASCII header values are RFC 2047 encoded words; a body that is not
// ASCII or has a line over 998 octets is sent base64 (charset utf-8 / us-ascii), since
// 7bit would be invalid; confirmation-link parameters are percent-encoded; a template
// dict missing a key falls back to that key's default (Z15 fails the e-mail).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "notifiers/payload.h"
#include "src/common/json.h"

namespace zaqard::notifiers {

struct MailtoUri {
    std::string recipient;                     // the URI path
    std::map<std::string, std::string> query;  // lower-cased names, first value, decoded
};

// nullopt when `uri` is not a mailto: URI with a recipient.
std::optional<MailtoUri> parseMailtoUri(std::string_view uri);

struct EmailMessage {
    std::string to;
    std::string from;
    std::string subject;
    std::string body;

    // The RFC 822 text with "\n" line ends (what sendmail -t reads).
    std::string render() const;
    // The envelope sender: the addr-spec inside <...> of `from`, else `from` itself.
    std::string envelopeFrom() const;
};

// A notification e-mail for one payload. nullopt when the subscriber is not mailto:.
std::optional<EmailMessage> notificationEmail(std::string_view subscriber,
                                              const json_t* subscriptionOptions,
                                              const Json& payload);

// [notification] subscription_confirmation_email_template and
// unsubscribe_confirmation_email_template: keys topic, body, sender.
using EmailTemplate = std::map<std::string, std::string>;
EmailTemplate defaultConfirmationTemplate(ConfirmationKind kind);

// external_confirmation_url + ?Signature=..&Methods=PUT&Paths=..&Project=..&Expires=..
// &Url=<WSGISubscribeURL>&Queue=<queue>, values percent-encoded.
std::string confirmationLink(std::string_view externalConfirmationUrl,
                             const ConfirmationInput& confirmation);

// Python's str.format for the positional fields {0} {1} {2} and {} plus {{ }}; any
// other replacement field is kept verbatim.
std::string formatTemplate(std::string_view text, const std::string (&args)[3]);

// A confirmation e-mail. nullopt when the subscriber is not mailto: or there is no
// external_confirmation_url (Zaqar logs an error and sends nothing).
std::optional<EmailMessage> confirmationEmail(std::string_view subscriber,
                                              const ConfirmationInput& confirmation,
                                              const EmailTemplate& configuredTemplate,
                                              std::string_view externalConfirmationUrl);

}  // namespace zaqard::notifiers
