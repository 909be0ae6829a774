// The webhook client against a real HTTP receiver (helpers/webhook_receiver.py): method,
// headers, body, template, signature headers, timeouts, redirects, refused connections.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>

#include "helpers/notifier_test_process.h"
#include "notifiers/payload.h"
#include "notifiers/webhook_client.h"
#include "notifiers/webhook_request.h"
#include "notifiers/webhook_signature.h"

namespace zaqard::notifiers {
namespace {

using notifier_test::HelperProcess;
using std::chrono::milliseconds;

class NotifierWebhook : public ::testing::Test {
  protected:
    void SetUp() override {
        record_ = notifier_test::tempPath("webhooks.jsonl");
        receiver_ = std::make_unique<HelperProcess>("webhook_receiver.py",
                                                    std::vector<std::string>{record_});
        ASSERT_TRUE(receiver_->ok()) << "webhook receiver did not start";
    }
    void TearDown() override {
        receiver_.reset();
        ::unlink(record_.c_str());
    }

    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(receiver_->port()) + path;
    }

    // Posts and runs the loop until the callback has run.
    WebhookResult postAndWait(WebhookClient& client, WebhookRequest request) {
        std::optional<WebhookResult> result;
        client.post(std::move(request), [&](const WebhookResult& r) {
            result = r;
            dispatcher_.exit();
        });
        dispatcher_.run();
        return result.value_or(WebhookResult{CURLE_FAILED_INIT, 0, "no callback"});
    }

    Json recorded(size_t index) {
        auto lines = notifier_test::waitForLines(record_, index + 1);
        if (lines.size() <= index) return Json();
        return parseJsonValue(lines[index]);
    }

    static std::string header(const Json& request, const char* name) {
        json_t* headers = request.at("headers");
        for (size_t i = 0; i < json_array_size(headers); ++i) {
            json_t* pair = json_array_get(headers, i);
            if (strcasecmp(json_string_value(json_array_get(pair, 0)), name) == 0) {
                return json_string_value(json_array_get(pair, 1));
            }
        }
        return "<absent>";
    }

    event::Dispatcher dispatcher_;
    std::string record_;
    std::unique_ptr<HelperProcess> receiver_;
};

Json samplePayload() {
    NotificationInput input;
    input.ttl = 300;
    input.body = parseJsonValue(R"({"event": "e1", "text": "caf\u00e9"})");
    input.queueName = "nq";
    return notificationPayload(input);
}

TEST_F(NotifierWebhook, PostsPayloadWithHeaders) {
    WebhookClient client(dispatcher_, {});
    Json options = parseJsonValue(
        R"({"post_headers": {"content-type": "application/vnd+json", "X-Custom": "v",)"
        R"( "X-Number": 5, "X-Evil": "a\r\nInjected: 1"}})");
    WebhookDelivery delivery;
    delivery.subscriber = url("/hook");
    delivery.options = options.get();
    delivery.payload = samplePayload();
    WebhookResult result = postAndWait(client, buildWebhookRequest(delivery));
    EXPECT_EQ(result.curlCode, CURLE_OK) << result.error;
    EXPECT_EQ(result.httpStatus, 200);
    EXPECT_EQ(classifyWebhookResult(result), DeliveryOutcome::Success);

    Json request = recorded(0);
    ASSERT_TRUE(request);
    EXPECT_STREQ(json_string_value(request.at("method")), "POST");
    EXPECT_STREQ(json_string_value(request.at("path")), "/hook");
    EXPECT_STREQ(json_string_value(request.at("body")),
                 R"({"ttl": 300, "body": {"event": "e1", "text": "caf\u00e9"}, "Message_Type": )"
                 R"("Notification", "queue_name": "nq"})");
    // post_headers override Content-Type case-insensitively; unsafe or non-string dropped.
    EXPECT_EQ(header(request, "Content-Type"), "application/vnd+json");
    EXPECT_EQ(header(request, "X-Custom"), "v");
    EXPECT_EQ(header(request, "X-Number"), "<absent>");
    EXPECT_EQ(header(request, "X-Evil"), "<absent>");
    EXPECT_EQ(header(request, "Injected"), "<absent>");
    EXPECT_EQ(header(request, "Expect"), "<absent>");
    EXPECT_EQ(header(request, "webhook-signature"), "<absent>");
}

TEST_F(NotifierWebhook, TemplateAndSignature) {
    WebhookClient client(dispatcher_, {});
    Json options = parseJsonValue(R"({"post_data": "{\"wrapped\": \"$zaqar_message$\"}"})");
    WebhookDelivery delivery;
    delivery.subscriber = "trust+" + url("/signed");
    delivery.options = options.get();
    delivery.payload = samplePayload();
    delivery.trustToken = "tok";
    delivery.signingSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    delivery.deliveryId = "dlv_1";
    delivery.timestamp = 1700000000;
    WebhookResult result = postAndWait(client, buildWebhookRequest(delivery));
    EXPECT_EQ(result.httpStatus, 200) << result.error;

    Json request = recorded(0);
    ASSERT_TRUE(request);
    std::string body = json_string_value(request.at("body"));
    EXPECT_EQ(body, "{\"wrapped\": " + encodePayload(samplePayload()) + "}");
    EXPECT_EQ(header(request, "X-Auth-Token"), "tok");
    EXPECT_EQ(header(request, "Content-Type"), "application/json");
    EXPECT_EQ(header(request, "webhook-id"), "dlv_1");
    EXPECT_EQ(header(request, "webhook-timestamp"), "1700000000");
    // The receiver's view of the body verifies against an independent HMAC.
    EXPECT_EQ(
        header(request, "webhook-signature"),
        webhookSignature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "dlv_1", 1700000000, body));
}

TEST_F(NotifierWebhook, StatusesAreClassified) {
    WebhookClient client(dispatcher_, {});
    struct Case {
        int status;
        DeliveryOutcome outcome;
    } cases[] = {{204, DeliveryOutcome::Success}, {500, DeliveryOutcome::Retry},
                 {503, DeliveryOutcome::Retry},   {429, DeliveryOutcome::Retry},
                 {404, DeliveryOutcome::GiveUp},  {400, DeliveryOutcome::GiveUp}};
    for (const auto& c : cases) {
        WebhookResult result =
            postAndWait(client, {url("/status/" + std::to_string(c.status)), {}, "{}"});
        EXPECT_EQ(result.curlCode, CURLE_OK);
        EXPECT_EQ(result.httpStatus, c.status);
        EXPECT_EQ(classifyWebhookResult(result), c.outcome) << c.status;
    }
}

TEST_F(NotifierWebhook, FlakyReceiverSucceedsOnRetry) {
    WebhookClient client(dispatcher_, {});
    std::vector<long> statuses;
    for (int attempt = 0; attempt < 3; ++attempt) {
        statuses.push_back(postAndWait(client, {url("/flaky/2/a"), {}, "{}"}).httpStatus);
    }
    EXPECT_EQ(statuses, (std::vector<long>{503, 503, 200}));
}

TEST_F(NotifierWebhook, RedirectsAreNotFollowed) {
    WebhookClient client(dispatcher_, {});
    WebhookResult result = postAndWait(client, {url("/redirect"), {}, "{}"});
    EXPECT_EQ(result.httpStatus, 302);
    EXPECT_EQ(classifyWebhookResult(result), DeliveryOutcome::GiveUp);
    notifier_test::waitForLines(record_, 1);
    EXPECT_EQ(notifier_test::readLines(record_).size(), 1u);  // /status/200 never requested
}

TEST_F(NotifierWebhook, HangingReceiverTimesOut) {
    WebhookOptions options;
    options.totalTimeout = milliseconds(700);
    WebhookClient client(dispatcher_, options);
    auto start = std::chrono::steady_clock::now();
    WebhookResult result = postAndWait(client, {url("/hang"), {}, "{}"});
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(result.curlCode, CURLE_OPERATION_TIMEDOUT) << result.error;
    EXPECT_FALSE(result.error.empty());
    EXPECT_EQ(classifyWebhookResult(result), DeliveryOutcome::Retry);
    EXPECT_GE(elapsed, milliseconds(650));
    EXPECT_LT(elapsed, milliseconds(5000));
}

TEST_F(NotifierWebhook, ConcurrentRequestsAllComplete) {
    WebhookOptions options;
    options.maxConnectionsPerHost = 2;
    WebhookClient client(dispatcher_, options);
    int done = 0;
    int ok = 0;
    for (int i = 0; i < 10; ++i) {
        client.post({url("/n/" + std::to_string(i)), {}, "{}"}, [&](const WebhookResult& r) {
            ok += r.httpStatus == 200;
            if (++done == 10) dispatcher_.exit();
        });
    }
    EXPECT_EQ(client.pending(), 10u);
    dispatcher_.run();
    EXPECT_EQ(ok, 10);
    EXPECT_EQ(client.pending(), 0u);
    EXPECT_EQ(notifier_test::waitForLines(record_, 10).size(), 10u);
}

TEST_F(NotifierWebhook, DestroyingTheClientCancelsCallbacks) {
    auto client = std::make_unique<WebhookClient>(dispatcher_, WebhookOptions{});
    bool called = false;
    client->post({url("/hang"), {}, "{}"}, [&](const WebhookResult&) { called = true; });
    auto stop = dispatcher_.createTimer([&] {
        client.reset();
        dispatcher_.exit();
    });
    stop->enable(milliseconds(200));
    dispatcher_.run();
    EXPECT_FALSE(called);
}

TEST(NotifierWebhookNoServer, ConnectionRefusedIsRetryable) {
    // A port that was free a moment ago: nothing listens there.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    int port = ntohs(address.sin_port);

    event::Dispatcher dispatcher;
    WebhookClient client(dispatcher, {});
    std::optional<WebhookResult> result;
    client.post({"http://127.0.0.1:" + std::to_string(port) + "/", {}, "{}"},
                [&](const WebhookResult& r) {
                    result = r;
                    dispatcher.exit();
                });
    dispatcher.run();
    ASSERT_TRUE(result);
    EXPECT_EQ(result->curlCode, CURLE_COULDNT_CONNECT);
    EXPECT_EQ(result->httpStatus, 0);
    EXPECT_EQ(classifyWebhookResult(*result), DeliveryOutcome::Retry);
}

TEST(NotifierWebhookNoServer, UnsupportedSchemeGivesUp) {
    event::Dispatcher dispatcher;
    WebhookClient client(dispatcher, {});
    std::optional<WebhookResult> result;
    client.post({"file:///etc/passwd", {}, "{}"}, [&](const WebhookResult& r) {
        result = r;
        dispatcher.exit();
    });
    dispatcher.run();
    ASSERT_TRUE(result);
    EXPECT_EQ(result->curlCode, CURLE_UNSUPPORTED_PROTOCOL);
    EXPECT_EQ(classifyWebhookResult(*result), DeliveryOutcome::GiveUp);
}

}  // namespace
}  // namespace zaqard::notifiers
