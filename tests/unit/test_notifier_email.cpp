// E-mail notifications: the RFC 822 text of §7, and both transports against real parts:
// third_part through a stand-in mailer script, self_local through an aiosmtpd sink
// (plain, AUTH, STARTTLS with a test CA).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>

#include "helpers/notifier_test_process.h"
#include "notifiers/email_message.h"
#include "notifiers/email_sender.h"
#include "notifiers/mail_command.h"
#include "notifiers/smtp_client.h"

namespace zaqard::notifiers {
namespace {

using notifier_test::HelperProcess;

Json samplePayload() {
    NotificationInput input;
    input.ttl = 300;
    input.body = parseJsonValue(R"({"a": 1})");
    input.queueName = "q1";
    return notificationPayload(input);
}

EmailMessage sampleEmail() {
    Json options = parseJsonValue(R"({"from": "zaqar@example.com", "subject": "Opt subject"})");
    return notificationEmail("mailto:someone@example.com", options.get(), samplePayload()).value();
}

TEST(NotifierEmailMessage, NotificationFormatOfZaqar) {
    EXPECT_EQ(sampleEmail().render(),
              "Content-Type: text/plain; charset=\"us-ascii\"\n"
              "MIME-Version: 1.0\n"
              "Content-Transfer-Encoding: 7bit\n"
              "to: someone@example.com\n"
              "from: zaqar@example.com\n"
              "subject: Opt subject\n"
              "\n"
              "{\"ttl\": 300, \"body\": {\"a\": 1}, \"Message_Type\": \"Notification\", "
              "\"queue_name\": \"q1\"}");
}

TEST(NotifierEmailMessage, MissingOptionsAreEmptyAndSubjectQueryOverrides) {
    auto plain = notificationEmail("mailto:a@b.c", nullptr, samplePayload()).value();
    EXPECT_EQ(plain.from, "");
    EXPECT_EQ(plain.subject, "");
    Json options = parseJsonValue(R"({"subject": "from options"})");
    auto overridden = notificationEmail("mailto:a@b.c?SUBJECT=Hello%20there+you&x=1", options.get(),
                                        samplePayload());
    ASSERT_TRUE(overridden);
    EXPECT_EQ(overridden->to, "a@b.c");
    EXPECT_EQ(overridden->subject, "Hello there you");
    EXPECT_FALSE(notificationEmail("http://a/b", nullptr, samplePayload()).has_value());
    EXPECT_FALSE(parseMailtoUri("mailto:").has_value());
}

TEST(NotifierEmailMessage, HeadersCannotBeInjected) {
    EmailMessage message = sampleEmail();
    message.subject = "hi\r\nBcc: victim@example.com";
    std::string text = message.render();
    EXPECT_EQ(text.find("\nBcc:"), std::string::npos);
    EXPECT_NE(text.find("subject: hi  Bcc: victim@example.com\n"), std::string::npos);
}

TEST(NotifierEmailMessage, NonAsciiAndLongLinesAreEncoded) {
    EmailMessage message = sampleEmail();
    message.subject = "caf\xc3\xa9";
    message.body = std::string(1200, 'x');
    std::string text = message.render();
    EXPECT_NE(text.find("subject: =?utf-8?b?Y2Fmw6k=?=\n"), std::string::npos);
    EXPECT_NE(text.find("Content-Transfer-Encoding: base64\n"), std::string::npos);
    EXPECT_NE(text.find("charset=\"us-ascii\""), std::string::npos);
}

TEST(NotifierEmailMessage, ConfirmationEmail) {
    ConfirmationInput confirmation;
    confirmation.queueName = "cfq";
    confirmation.signature = "abc";
    confirmation.paths = "/v2/queues/cfq/subscriptions/s1/confirm";
    confirmation.projectId = "proj a";
    confirmation.expires = "2026-11-23T09:15:42";
    auto email = confirmationEmail("mailto:x@y.z", confirmation, {}, "https://confirm.example/c");
    ASSERT_TRUE(email);
    EXPECT_EQ(email->from, "Zaqar Notifications <no-reply@openstack.org>");
    EXPECT_EQ(email->envelopeFrom(), "no-reply@openstack.org");
    EXPECT_EQ(email->subject, "Zaqar Notification - Subscription Confirmation");
    EXPECT_EQ(email->body,
              "You have chosen to subscribe to the queue: cfq. This queue belongs to project: "
              "proj a. To confirm this subscription, click or visit this link below: "
              "https://confirm.example/c?Signature=abc&Methods=PUT&Paths=/v2/queues/cfq/"
              "subscriptions/s1/confirm&Project=proj%20a&Expires=2026-11-23T09%3A15%3A42&Url=&"
              "Queue=cfq");
    // A configured template replaces keys individually.
    confirmation.kind = ConfirmationKind::Unsubscribe;
    auto custom = confirmationEmail("mailto:x@y.z", confirmation, {{"body", "{{{0}}} {1} {} {7}"}},
                                    "https://c");
    ASSERT_TRUE(custom);
    EXPECT_EQ(custom->subject, "Zaqar Notification - Unsubscribe Confirmation");
    EXPECT_EQ(custom->body, "{cfq} proj a cfq {7}");
    EXPECT_FALSE(confirmationEmail("mailto:x@y.z", confirmation, {}, "").has_value());
}

// --- third_part ------------------------------------------------------------------------

std::string mailerCommand(const std::string& output, int status) {
    return "/usr/bin/python3 " + notifier_test::helperPath("mail_command.py") + " " + output + " " +
           std::to_string(status) + " -t  -oi";
}

TEST(NotifierMailCommand, WritesTheMessageToStdin) {
    std::string output = notifier_test::tempPath("mail.txt");
    EmailSenderOptions options;
    options.command = mailerCommand(output, 0);
    EmailSender sender(options);
    event::Dispatcher dispatcher;
    std::optional<EmailResult> result;
    sender.send(sampleEmail(), dispatcher, [&](const EmailResult& r) {
        result = r;
        dispatcher.exit();
    });
    dispatcher.run();
    ASSERT_TRUE(result);
    EXPECT_EQ(result->outcome, DeliveryOutcome::Success) << result->error;
    EXPECT_EQ(notifier_test::readFile(output), sampleEmail().render());
    EXPECT_EQ(notifier_test::readFile(output + ".args"), "-t\n-oi");  // no empty argument
    ::unlink(output.c_str());
    ::unlink((output + ".args").c_str());
}

TEST(NotifierMailCommand, ExitStatusDecides) {
    std::string output = notifier_test::tempPath("mail.txt");
    EXPECT_EQ(runMailCommand(mailerCommand(output, 75), "x", std::chrono::seconds(10)).outcome,
              DeliveryOutcome::Retry);
    auto failed = runMailCommand(mailerCommand(output, 1), "x", std::chrono::seconds(10));
    EXPECT_EQ(failed.outcome, DeliveryOutcome::GiveUp);
    EXPECT_NE(failed.error.find("exited with status 1"), std::string::npos);
    auto missing = runMailCommand("/nonexistent/sendmail -t", "x", std::chrono::seconds(10));
    EXPECT_EQ(missing.outcome, DeliveryOutcome::Retry);
    EXPECT_NE(missing.error.find("cannot run /nonexistent/sendmail"), std::string::npos);
    auto slow = runMailCommand("/bin/sleep 5", "x", std::chrono::milliseconds(300));
    EXPECT_EQ(slow.outcome, DeliveryOutcome::Retry);
    EXPECT_NE(slow.error.find("killed"), std::string::npos);
    ::unlink(output.c_str());
    ::unlink((output + ".args").c_str());
}

// --- self_local ------------------------------------------------------------------------

class NotifierSmtp : public ::testing::Test {
  protected:
    void start(std::vector<std::string> extra = {}) {
        record_ = notifier_test::tempPath("smtp.jsonl");
        extra.insert(extra.begin(), record_);
        sink_ = std::make_unique<HelperProcess>("smtp_sink.py", extra);
        ASSERT_TRUE(sink_->ok()) << "smtp sink did not start";
    }
    void TearDown() override {
        sink_.reset();
        if (!record_.empty()) ::unlink(record_.c_str());
    }
    SmtpSettings settings(const std::string& host = "127.0.0.1") const {
        SmtpSettings s;
        s.host = host;
        s.port = sink_->port();
        s.timeout = std::chrono::seconds(20);  // generous: CI machines can be loaded
        return s;
    }
    Json received(size_t index) {
        auto lines = notifier_test::waitForLines(record_, index + 1);
        return lines.size() > index ? parseJsonValue(lines[index]) : Json();
    }

    std::string record_;
    std::unique_ptr<HelperProcess> sink_;
};

TEST_F(NotifierSmtp, DeliversThroughPoolWhenStarttlsNotOffered) {
    start();
    EmailSenderOptions options;
    options.mode = SmtpMode::SelfLocal;
    options.smtp = settings();
    EmailSender sender(options);
    event::Dispatcher dispatcher;
    std::optional<EmailResult> result;
    sender.send(sampleEmail(), dispatcher, [&](const EmailResult& r) {
        result = r;
        dispatcher.exit();
    });
    dispatcher.run();
    ASSERT_TRUE(result);
    EXPECT_EQ(result->outcome, DeliveryOutcome::Success) << result->error;
    Json message = received(0);
    ASSERT_TRUE(message);
    EXPECT_STREQ(json_string_value(message.at("mail_from")), "zaqar@example.com");
    EXPECT_STREQ(json_string_value(json_array_get(message.at("rcpt_tos"), 0)),
                 "someone@example.com");
    std::string data = json_string_value(message.at("data"));
    EXPECT_NE(data.find("to: someone@example.com\r\n"), std::string::npos) << data;
    EXPECT_NE(data.find("subject: Opt subject\r\n"), std::string::npos);
    EXPECT_NE(data.find("\"queue_name\": \"q1\"}"), std::string::npos);
    EXPECT_TRUE(json_is_false(message.at("tls")));
}

TEST_F(NotifierSmtp, RequiredStarttlsRefusesPlainServer) {
    start();
    SmtpSettings s = settings();
    s.starttls = StarttlsMode::Required;
    SmtpResult result = sendSmtp(s, sampleEmail());
    EXPECT_EQ(result.outcome, DeliveryOutcome::Retry);
    EXPECT_NE(result.error.find("STARTTLS"), std::string::npos) << result.error;
    EXPECT_TRUE(notifier_test::readLines(record_).empty());
}

TEST_F(NotifierSmtp, LogsInWhenCredentialsAreSet) {
    start({"--auth", "zaqar:s3cret"});
    SmtpSettings s = settings();
    s.userName = "zaqar";
    s.password = "s3cret";
    SmtpResult result = sendSmtp(s, sampleEmail());
    EXPECT_EQ(result.outcome, DeliveryOutcome::Success) << result.error;
    Json message = received(0);
    ASSERT_TRUE(message);
    EXPECT_TRUE(json_is_true(message.at("auth")));

    s.password = "wrong";
    s.timeout = std::chrono::seconds(2);  // aiosmtpd may not answer a failed LOGIN at all
    result = sendSmtp(s, sampleEmail());
    EXPECT_NE(result.outcome, DeliveryOutcome::Success);
    EXPECT_EQ(notifier_test::readLines(record_).size(), 1u);
}

TEST_F(NotifierSmtp, RecipientRefusedWithoutLogin) {
    start({"--auth", "zaqar:s3cret"});
    SmtpResult result = sendSmtp(settings(), sampleEmail());
    EXPECT_NE(result.outcome, DeliveryOutcome::Success);
    EXPECT_FALSE(result.error.empty());
}

// A self-signed certificate for localhost that is its own CA: smtp_ca_file.
struct TestCertificate {
    std::string cert;
    std::string key;
    bool ok = false;
    TestCertificate() {
        std::string stem = notifier_test::tempPath("tls");
        cert = stem + "-cert.pem";
        key = stem + "-key.pem";
        std::string command =
            "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
            "-addext subjectAltName=DNS:localhost -keyout " +
            key + " -out " + cert + " >/dev/null 2>&1";
        ok = std::system(command.c_str()) == 0;
    }
    ~TestCertificate() {
        ::unlink(cert.c_str());
        ::unlink(key.c_str());
    }
};

// Several sessions in a row: before zaqard capped STARTTLS at TLS 1.2, about every
// second session hung in libesmtp (TLS 1.3 session tickets arriving before the EHLO was
// flushed, see makeTlsContext) and ended with QUIT after one timeout. The short timeout
// turns such a hang into a quick failure.
TEST_F(NotifierSmtp, StarttlsVerifiedWithCaFile) {
    TestCertificate tls;
    if (!tls.ok) GTEST_SKIP() << "openssl command unavailable";
    start({"--tls", tls.cert, tls.key});

    SmtpSettings s = settings("localhost");
    s.starttls = StarttlsMode::Required;
    s.caFile = tls.cert;
    s.timeout = std::chrono::seconds(5);
    constexpr size_t sessions = 6;
    for (size_t i = 0; i < sessions; ++i) {
        auto started = std::chrono::steady_clock::now();
        SmtpResult result = sendSmtp(s, sampleEmail());
        ASSERT_EQ(result.outcome, DeliveryOutcome::Success)
            << "session " << i << ": " << result.error;
        EXPECT_LT(std::chrono::steady_clock::now() - started, s.timeout) << "session " << i;
    }
    auto lines = notifier_test::waitForLines(record_, sessions);
    ASSERT_EQ(lines.size(), sessions);
    for (const auto& line : lines) {
        Json message = parseJsonValue(line);
        ASSERT_TRUE(message);
        EXPECT_TRUE(json_is_true(message.at("tls")));
        EXPECT_STREQ(json_string_value(message.at("tls_version")), "TLSv1.2");
        std::string data = json_string_value(message.at("data"));
        EXPECT_NE(data.find("subject: Opt subject\r\n"), std::string::npos) << data;
    }
}

TEST_F(NotifierSmtp, StarttlsRefusesUnverifiedCertificates) {
    TestCertificate tls;
    if (!tls.ok) GTEST_SKIP() << "openssl command unavailable";
    start({"--tls", tls.cert, tls.key});

    // Without our CA the self-signed certificate is refused, even when merely offered.
    // Refusing (QUIT over TLS) does not wait for a timeout either.
    SmtpSettings s = settings("localhost");
    s.starttls = StarttlsMode::WhenOffered;
    s.timeout = std::chrono::seconds(5);
    auto timedSend = [&] {
        auto started = std::chrono::steady_clock::now();
        SmtpResult result = sendSmtp(s, sampleEmail());
        EXPECT_LT(std::chrono::steady_clock::now() - started, s.timeout) << result.error;
        return result;
    };
    SmtpResult result = timedSend();
    EXPECT_EQ(result.outcome, DeliveryOutcome::Retry);
    EXPECT_EQ(result.error, "the SMTP server's TLS certificate could not be verified");

    // The right CA but another host name (libesmtp checks DNS names only).
    s.caFile = tls.cert;
    s.host = "127.0.0.1";
    result = timedSend();
    EXPECT_EQ(result.outcome, DeliveryOutcome::Retry);
    EXPECT_EQ(result.error, "the SMTP server's TLS certificate does not match its host name");

    // A CA file that does not exist.
    s.caFile = tls.cert + ".missing";
    result = sendSmtp(s, sampleEmail());
    EXPECT_EQ(result.outcome, DeliveryOutcome::Retry);
    EXPECT_NE(result.error.find("cannot load smtp_ca_file"), std::string::npos) << result.error;
    EXPECT_TRUE(notifier_test::readLines(record_).empty());
}

TEST(NotifierEmailSenderOptions, FromConfig) {
    config::NotificationOptions notification;
    auto options = emailSenderOptions(notification);
    ASSERT_TRUE(options.ok());
    EXPECT_EQ(options->mode, SmtpMode::ThirdPart);
    EXPECT_EQ(options->smtp.starttls, StarttlsMode::WhenOffered);
    EXPECT_EQ(options->workers, 8u);
    notification.smtp_starttls = "sometimes";
    EXPECT_FALSE(emailSenderOptions(notification).ok());
    notification.smtp_starttls = "off";
    notification.smtp_mode = "carrier_pigeon";
    EXPECT_FALSE(emailSenderOptions(notification).ok());
}

}  // namespace
}  // namespace zaqard::notifiers
