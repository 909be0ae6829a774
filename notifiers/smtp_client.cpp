#include "notifiers/smtp_client.h"

// Order matters: libesmtp.h declares smtp_starttls_set_ctx only after OpenSSL's ssl.h
// and smtp_auth_set_context only after auth-client.h.
#include <openssl/err.h>
#include <openssl/ssl.h>
// clang-format off
#include <auth-client.h>
#include <libesmtp.h>
// clang-format on

#include <memory>
#include <mutex>

namespace zaqard::notifiers {

namespace {

struct SessionDeleter {
    void operator()(smtp_session_t session) const { smtp_destroy_session(session); }
};
struct AuthDeleter {
    void operator()(auth_context_t context) const { auth_destroy_context(context); }
};
struct SslCtxDeleter {
    void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SessionPtr = std::unique_ptr<std::remove_pointer_t<smtp_session_t>, SessionDeleter>;
using AuthPtr = std::unique_ptr<std::remove_pointer_t<auth_context_t>, AuthDeleter>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

struct Credentials {
    std::string user;
    std::string password;
};

// libesmtp's SASL plugins ask for fields by flag; the result pointers must stay valid
// for the session, so they point into Credentials.
int provideCredentials(auth_client_request_t request, char** result, int fields, void* arg) {
    auto* credentials = static_cast<Credentials*>(arg);
    static char empty[] = "";
    for (int i = 0; i < fields; ++i) {
        if (request[i].flags & AUTH_USER) {
            result[i] = credentials->user.data();
        } else if (request[i].flags & AUTH_PASS) {
            result[i] = credentials->password.data();
        } else {
            result[i] = empty;
        }
    }
    return 1;
}

// What went wrong during the session, as libesmtp reports it through events. The
// variadic arguments (e.g. `int *ok`) are left alone: libesmtp's default is to refuse.
struct SessionEvents {
    std::string failure;
};

void onEvent(smtp_session_t, int event, void* arg, ...) {
    auto* events = static_cast<SessionEvents*>(arg);
    switch (event) {
        case SMTP_EV_EXTNA_STARTTLS:
            events->failure = "the SMTP server does not offer STARTTLS (smtp_starttls = required)";
            break;
        case SMTP_EV_INVALID_PEER_CERTIFICATE:
        case SMTP_EV_NO_PEER_CERTIFICATE:
            events->failure = "the SMTP server's TLS certificate could not be verified";
            break;
        case SMTP_EV_WRONG_PEER_CERTIFICATE:
            events->failure = "the SMTP server's TLS certificate does not match its host name";
            break;
        case SMTP_EV_WEAK_CIPHER:
            events->failure = "the SMTP server negotiated a weak cipher";
            break;
        case SMTP_EV_UNUSABLE_CA_LIST:
            events->failure = "smtp_ca_file is unusable";
            break;
        default:
            break;
    }
}

SslCtxPtr makeTlsContext(const std::string& caFile, std::string& error) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) {
        error = "cannot create a TLS context";
        return nullptr;
    }
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    // At most TLS 1.2, because of a race in libesmtp 1.1's protocol loop (do_session()).
    // In TLS 1.3 the server sends NewSessionTicket records after it receives the client's
    // Finished, i.e. after SSL_connect() has returned. libesmtp then queues the EHLO (or
    // QUIT) in its write buffer and poll()s for read and write. If the tickets are already
    // there, poll() reports the socket readable and libesmtp handles the read first: it
    // blocks in SSL_read() for the EHLO reply, which can't come because the EHLO hasn't
    // been flushed yet. After one timeout it gives up, and the EHLO and a QUIT go out
    // together, so the server sees "EHLO, QUIT" and no mail. The tickets come quickly on
    // loopback and LAN, so that's where it fails most. SSL_OP_NO_TICKET doesn't help, because
    // TLS 1.3 servers send tickets anyway. In TLS 1.2 the server's Finished is the
    // last handshake record, and SSL_connect() reads it before it returns, so nothing
    // arrives unasked before the EHLO reply.
    SSL_CTX_set_max_proto_version(ctx.get(), TLS1_2_VERSION);
    int loaded = caFile.empty() ? SSL_CTX_set_default_verify_paths(ctx.get())
                                : SSL_CTX_load_verify_locations(ctx.get(), caFile.c_str(), nullptr);
    if (loaded != 1) {
        error = "cannot load smtp_ca_file " + caFile;
        return nullptr;
    }
    // No SSL_VERIFY_PEER on purpose: the handshake completes and libesmtp then checks the
    // verification result and the host name itself, refusing through onEvent (which
    // names the reason) before any command is sent over the unverified channel.
    return ctx;
}

std::string crlfText(const std::string& text) {
    std::string out;
    out.reserve(text.size() + text.size() / 40 + 2);
    for (char c : text) {
        if (c == '\n') out += '\r';
        out += c;
    }
    if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
    return out;
}

std::string describe(const std::string& what, const smtp_status_t* status) {
    std::string text = what + " refused: " + std::to_string(status ? status->code : 0);
    if (status && status->text) {
        std::string reply(status->text);
        while (!reply.empty() && (reply.back() == '\n' || reply.back() == '\r')) reply.pop_back();
        text += " " + reply;
    }
    return text;
}

// libesmtp's error of this thread's last session, as text.
std::string libesmtpError() {
    int code = smtp_errno();
    if (code == 0) return "no error reported (login or TLS failure?)";
    char buffer[256];
    const char* reason = smtp_strerror(code, buffer, sizeof buffer);
    return reason ? reason : "unknown error " + std::to_string(code);
}

bool accepted(const smtp_status_t* status) {
    return status != nullptr && status->code >= 200 && status->code < 300;
}

DeliveryOutcome outcomeOf(const smtp_status_t* status) {
    return status != nullptr && status->code >= 500 ? DeliveryOutcome::GiveUp
                                                    : DeliveryOutcome::Retry;
}

}  // namespace

std::optional<StarttlsMode> parseStarttlsMode(std::string_view text) {
    if (text == "required") return StarttlsMode::Required;
    if (text == "when-offered") return StarttlsMode::WhenOffered;
    if (text == "off") return StarttlsMode::Off;
    return std::nullopt;
}

SmtpResult sendSmtp(const SmtpSettings& settings, const EmailMessage& email) {
    static std::once_flag authReady;
    std::call_once(authReady, [] { auth_client_init(); });

    Credentials credentials{settings.userName, settings.password};
    SessionEvents events;
    std::string text = crlfText(email.render());
    std::string envelopeFrom = email.envelopeFrom();

    // Declared before the session so that it is destroyed after it.
    AuthPtr auth;
    SessionPtr session(smtp_create_session());
    if (!session) return {DeliveryOutcome::Retry, "cannot create an SMTP session"};

    std::string server = settings.host;
    if (settings.port > 0) server += ":" + std::to_string(settings.port);
    smtp_set_server(session.get(), server.c_str());
    smtp_set_eventcb(session.get(), &onEvent, &events);
    long timeout = static_cast<long>(settings.timeout.count());
    for (int which :
         {Timeout_GREETING, Timeout_ENVELOPE, Timeout_DATA, Timeout_TRANSFER, Timeout_DATA2}) {
        smtp_set_timeout(session.get(), which | Timeout_OVERRIDE_RFC2822_MINIMUM, timeout);
    }

    if (settings.starttls == StarttlsMode::Off) {
        smtp_starttls_enable(session.get(), Starttls_DISABLED);
    } else {
        std::string error;
        SslCtxPtr ctx = makeTlsContext(settings.caFile, error);
        if (!ctx) return {DeliveryOutcome::Retry, error};
        smtp_starttls_set_ctx(session.get(), ctx.get());  // takes its own reference
        smtp_starttls_enable(session.get(), settings.starttls == StarttlsMode::Required
                                                ? Starttls_REQUIRED
                                                : Starttls_ENABLED);
    }

    if (!settings.userName.empty()) {
        auth.reset(auth_create_context());
        if (!auth) return {DeliveryOutcome::Retry, "cannot create an SMTP auth context"};
        auth_set_mechanism_flags(auth.get(), AUTH_PLUGIN_PLAIN, 0);
        auth_set_interact_cb(auth.get(), &provideCredentials, &credentials);
        smtp_auth_set_context(session.get(), auth.get());
    }

    smtp_message_t message = smtp_add_message(session.get());
    smtp_set_reverse_path(message, envelopeFrom.c_str());
    smtp_recipient_t recipient = smtp_add_recipient(message, email.to.c_str());
    smtp_set_message_str(message, const_cast<char*>(text.c_str()));
    if (recipient == nullptr) return {DeliveryOutcome::GiveUp, "invalid recipient " + email.to};

    // libesmtp reads through SSL_get_error(), which trusts this thread's OpenSSL error
    // queue: a stale entry (e.g. a missing default CA path) would fail a healthy read.
    ERR_clear_error();
    if (!smtp_start_session(session.get())) {
        return {DeliveryOutcome::Retry, !events.failure.empty()
                                            ? events.failure
                                            : "SMTP session failed: " + libesmtpError()};
    }
    if (!events.failure.empty()) return {DeliveryOutcome::Retry, events.failure};

    const smtp_status_t* sender = smtp_reverse_path_status(message);
    if (!accepted(sender)) {
        if (sender == nullptr || sender->code == 0) {
            // libesmtp counts a session it ended itself (a read timeout, a refused login)
            // as completed; its error code still says why.
            return {DeliveryOutcome::Retry,
                    "the SMTP session ended before MAIL FROM: " + libesmtpError()};
        }
        return {outcomeOf(sender), describe("sender", sender)};
    }
    const smtp_status_t* rcpt = smtp_recipient_status(recipient);
    if (!accepted(rcpt) || !smtp_recipient_check_complete(recipient)) {
        return {outcomeOf(rcpt), describe("recipient " + email.to, rcpt)};
    }
    const smtp_status_t* transfer = smtp_message_transfer_status(message);
    if (!accepted(transfer)) return {outcomeOf(transfer), describe("message", transfer)};
    return {};
}

}  // namespace zaqard::notifiers
