#include "notifiers/email_message.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

namespace zaqard::notifiers {

namespace {

constexpr size_t kMaxLineOctets = 998;
constexpr size_t kFoldWidth = 78;

bool isAscii(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string base64(std::string_view data) {
    std::string out(4 * ((data.size() + 2) / 3), '\0');
    int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(data.data()),
                                  static_cast<int>(data.size()));
    out.resize(static_cast<size_t>(written));
    return out;
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// application/x-www-form-urlencoded decoding, as urllib.parse.parse_qs does.
std::string formDecode(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 &&
                   hexValue(text[i + 2]) >= 0) {
            out += static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::string percentEncode(std::string_view text) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            out += c;
        } else {
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 0xf];
        }
    }
    return out;
}

// One header line: CR/LF neutralised, non-ASCII as RFC 2047 encoded words, long ASCII
// values folded at blanks.
std::string headerLine(std::string_view name, std::string_view rawValue) {
    std::string value(rawValue);
    std::replace_if(
        value.begin(), value.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
    std::string line = std::string(name) + ": ";
    if (!isAscii(value)) {
        // Encoded words of at most 45 bytes (60 base64 characters), cut on UTF-8 boundaries.
        size_t start = 0;
        bool first = true;
        while (start < value.size()) {
            size_t end = std::min(start + 45, value.size());
            while (end < value.size() && end > start &&
                   (static_cast<unsigned char>(value[end]) & 0xc0) == 0x80) {
                --end;
            }
            if (!first) line += "\n ";
            first = false;
            line +=
                "=?utf-8?b?" + base64(std::string_view(value).substr(start, end - start)) + "?=";
            start = end;
        }
        return line + "\n";
    }
    line += value;
    std::string folded;
    while (line.size() > kFoldWidth) {
        size_t cut = line.rfind(' ', kFoldWidth);
        if (cut == std::string::npos || cut <= name.size() + 1) {
            cut = line.find(' ', kFoldWidth);
            if (cut == std::string::npos) break;
        }
        folded += line.substr(0, cut) + "\n";
        line = line.substr(cut);  // the continuation line starts with the blank
    }
    return folded + line + "\n";
}

bool hasLongLine(std::string_view text) {
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        if (end - start > kMaxLineOctets) return true;
        start = end + 1;
    }
    return false;
}

std::string stringOption(const json_t* options, const char* key) {
    json_t* value =
        json_is_object(options) ? json_object_get(const_cast<json_t*>(options), key) : nullptr;
    return json_is_string(value) ? std::string(json_string_value(value), json_string_length(value))
                                 : std::string();
}

}  // namespace

std::optional<MailtoUri> parseMailtoUri(std::string_view uri) {
    constexpr std::string_view kScheme = "mailto:";
    if (uri.size() < kScheme.size()) return std::nullopt;
    for (size_t i = 0; i < kScheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(uri[i])) != kScheme[i]) return std::nullopt;
    }
    std::string_view rest = uri.substr(kScheme.size());
    rest = rest.substr(0, rest.find('#'));
    size_t question = rest.find('?');
    MailtoUri parsed;
    parsed.recipient = std::string(rest.substr(0, question));
    if (parsed.recipient.empty()) return std::nullopt;
    if (question == std::string_view::npos) return parsed;
    std::string_view query = rest.substr(question + 1);
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        size_t equals = pair.find('=');
        if (equals == std::string_view::npos) continue;
        std::string value = formDecode(pair.substr(equals + 1));
        if (value.empty()) continue;  // parse_qs drops blank values
        std::string name = formDecode(pair.substr(0, equals));
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        parsed.query.emplace(name, value);  // the first value wins
    }
    return parsed;
}

std::string EmailMessage::render() const {
    bool ascii = isAscii(body);
    bool sevenBit = ascii && !hasLongLine(body);
    std::string out;
    out += std::string("Content-Type: text/plain; charset=\"") + (ascii ? "us-ascii" : "utf-8") +
           "\"\n";
    out += "MIME-Version: 1.0\n";
    out += std::string("Content-Transfer-Encoding: ") + (sevenBit ? "7bit" : "base64") + "\n";
    out += headerLine("to", to);
    out += headerLine("from", from);
    out += headerLine("subject", subject);
    out += "\n";
    if (sevenBit) {
        out += body;
    } else {
        std::string encoded = base64(body);
        for (size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\n";
    }
    return out;
}

std::string EmailMessage::envelopeFrom() const {
    size_t open = from.rfind('<');
    size_t close = from.rfind('>');
    if (open != std::string::npos && close != std::string::npos && close > open) {
        return from.substr(open + 1, close - open - 1);
    }
    return from;
}

std::optional<EmailMessage> notificationEmail(std::string_view subscriber,
                                              const json_t* subscriptionOptions,
                                              const Json& payload) {
    auto mailto = parseMailtoUri(subscriber);
    if (!mailto) return std::nullopt;
    EmailMessage message;
    message.to = mailto->recipient;
    message.from = stringOption(subscriptionOptions, "from");
    auto subject = mailto->query.find("subject");
    message.subject = subject != mailto->query.end() ? subject->second
                                                     : stringOption(subscriptionOptions, "subject");
    message.body = encodePayload(payload);
    return message;
}

EmailTemplate defaultConfirmationTemplate(ConfirmationKind kind) {
    if (kind == ConfirmationKind::Subscribe) {
        return {{"topic", "Zaqar Notification - Subscription Confirmation"},
                {"body",
                 "You have chosen to subscribe to the queue: {0}. This queue belongs to "
                 "project: {1}. To confirm this subscription, click or visit this link below: "
                 "{2}"},
                {"sender", "Zaqar Notifications <no-reply@openstack.org>"}};
    }
    return {{"topic", "Zaqar Notification - Unsubscribe Confirmation"},
            {"body",
             "You have unsubscribed successfully to the queue: {0}. This queue belongs to "
             "project: {1}. To resubscribe this subscription, click or visit this link below: "
             "{2}"},
            {"sender", "Zaqar Notifications <no-reply@openstack.org>"}};
}

std::string confirmationLink(std::string_view externalConfirmationUrl,
                             const ConfirmationInput& confirmation) {
    std::string link(externalConfirmationUrl);
    link += "?Signature=" + percentEncode(confirmation.signature);
    link += "&Methods=PUT";
    link += "&Paths=" + percentEncode(confirmation.paths);
    link += "&Project=" + percentEncode(confirmation.projectId);
    link += "&Expires=" + percentEncode(confirmation.expires);
    link += "&Url=" + percentEncode(confirmation.wsgiSubscribeUrl);
    link += "&Queue=" + percentEncode(confirmation.queueName);
    return link;
}

std::string formatTemplate(std::string_view text, const std::string (&args)[3]) {
    std::string out;
    size_t automatic = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
            out += c;
            ++i;
            continue;
        }
        if (c == '{') {
            size_t close = text.find('}', i);
            if (close != std::string_view::npos) {
                std::string_view field = text.substr(i + 1, close - i - 1);
                if (field.empty() && automatic < 3) {
                    out += args[automatic++];
                    i = close;
                    continue;
                }
                if (field.size() == 1 && field[0] >= '0' && field[0] <= '2') {
                    out += args[field[0] - '0'];
                    i = close;
                    continue;
                }
            }
        }
        out += c;
    }
    return out;
}

std::optional<EmailMessage> confirmationEmail(std::string_view subscriber,
                                              const ConfirmationInput& confirmation,
                                              const EmailTemplate& configuredTemplate,
                                              std::string_view externalConfirmationUrl) {
    auto mailto = parseMailtoUri(subscriber);
    if (!mailto || externalConfirmationUrl.empty()) return std::nullopt;
    EmailTemplate effective = defaultConfirmationTemplate(confirmation.kind);
    for (const auto& [key, value] : configuredTemplate) effective[key] = value;
    const std::string args[3] = {confirmation.queueName, confirmation.projectId,
                                 confirmationLink(externalConfirmationUrl, confirmation)};
    EmailMessage message;
    message.to = mailto->recipient;
    message.from = effective["sender"];
    message.subject = effective["topic"];
    message.body = formatTemplate(effective["body"], args);
    return message;
}

}  // namespace zaqard::notifiers
