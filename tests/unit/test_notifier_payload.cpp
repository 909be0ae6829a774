// Notification and confirmation payloads, their Python-compatible encoding and the
// post_data template (notifications.md §2-§4).
#include <gtest/gtest.h>

#include "notifiers/payload.h"
#include "src/common/python_json.h"

namespace zaqard::notifiers {
namespace {

Json parse(const char* text) {
    return parseJsonValue(text);
}

TEST(NotifierPayload, NotificationKeyOrderAndSeparators) {
    NotificationInput input;
    input.ttl = 300;
    input.body = parse(R"({"event": "e1"})");
    input.queueName = "nq";
    EXPECT_EQ(encodePayload(notificationPayload(input)),
              R"({"ttl": 300, "body": {"event": "e1"}, "Message_Type": "Notification", )"
              R"("queue_name": "nq"})");
}

TEST(NotifierPayload, DelayComesAfterBody) {
    NotificationInput input;
    input.ttl = 60;
    input.body = parse("[1, 2]");
    input.delay = 10;
    input.queueName = "q";
    EXPECT_EQ(encodePayload(notificationPayload(input)),
              R"({"ttl": 60, "body": [1, 2], "delay": 10, "Message_Type": "Notification", )"
              R"("queue_name": "q"})");
}

TEST(NotifierPayload, PythonJsonEscapesAndFloats) {
    // Expected text produced by CPython 3.11 json.dumps on the same value.
    Json value =
        parse(R"({"a": "\u007f\u001f \u00e9 \ud83d\ude00 \"q\" \\ /",)"
              R"( "f": [0.1, 1e16, 1e-5, 123.0, 1.5e300, -0.0, 1e15, )"
              R"(12345678901234567.0, 0.0001, 2.5], "n": null, "t": true, "e": {}, "l": []})");
    ASSERT_TRUE(value);
    EXPECT_EQ(pythonJsonDumps(value.get()),
              R"({"a": "\u007f\u001f \u00e9 \ud83d\ude00 \"q\" \\ /", "f": [0.1, 1e+16, 1e-05, )"
              R"(123.0, 1.5e+300, -0.0, 1000000000000000.0, 1.2345678901234568e+16, 0.0001, 2.5], )"
              R"("n": null, "t": true, "e": {}, "l": []})");
}

TEST(NotifierPayload, PostDataTemplateReplacesQuotedPlaceholder) {
    NotificationInput input;
    input.ttl = 300;
    input.body = parse(R"({"event": "e1"})");
    input.queueName = "nq";
    Json options = parse(R"({"post_data": "{\"wrapped\": \"$zaqar_message$\", \"k\": 1}"})");
    EXPECT_EQ(webhookBody(notificationPayload(input), options.get()),
              R"({"wrapped": {"ttl": 300, "body": {"event": "e1"}, "Message_Type": )"
              R"("Notification", "queue_name": "nq"}, "k": 1})");
    // Every occurrence, and only with the quotes.
    EXPECT_EQ(applyPostData(R"(["$zaqar_message$", $zaqar_message$, "$zaqar_message$"])", "X"),
              R"([X, $zaqar_message$, X])");
}

TEST(NotifierPayload, NonStringPostDataIsIgnored) {
    NotificationInput input;
    input.ttl = 1;
    input.body = parse("1");
    input.queueName = "q";
    Json options = parse(R"({"post_data": 5})");
    EXPECT_EQ(webhookBody(notificationPayload(input), options.get()),
              encodePayload(notificationPayload(input)));
}

TEST(NotifierPayload, SubscriptionConfirmationMatchesCapture) {
    ConfirmationInput input;
    input.queueName = "cfq";
    input.signature = "093afdaac978a9ccc5759a287c8a7ba3d9a9b5cc18b6ad3c2aae28ba314af385";
    input.paths = "/v2/queues/cfq/subscriptions/84e0c04f-8e18-4bb2-b733-cc0741cd4cc9/confirm";
    input.projectId = "proj-a";
    input.expires = "2026-11-23T09:15:42";
    EXPECT_EQ(encodePayload(confirmationPayload(input)),
              R"({"Message_Type": "SubscriptionConfirmation", "Message": "You have chosen to )"
              R"(subscribe to the queue: cfq", "URL-Signature": )"
              R"("093afdaac978a9ccc5759a287c8a7ba3d9a9b5cc18b6ad3c2aae28ba314af385", )"
              R"("URL-Methods": "PUT", "URL-Paths": )"
              R"("/v2/queues/cfq/subscriptions/84e0c04f-8e18-4bb2-b733-cc0741cd4cc9/confirm", )"
              R"("X-Project-ID": "proj-a", "URL-Expires": "2026-11-23T09:15:42", )"
              R"("SubscribeBody": {"confirmed": true}, "UnsubscribeBody": {"confirmed": false}, )"
              R"("queue_name": "cfq"})");
}

TEST(NotifierPayload, UnsubscribeConfirmationWithCatalogUrls) {
    ConfirmationInput input;
    input.kind = ConfirmationKind::Unsubscribe;
    input.queueName = "q";
    input.wsgiSubscribeUrl = "http://z/v2/queues/q/subscriptions/s/confirm";
    input.websocketSubscribeUrl = "ws://z/v2/queues/q/subscriptions/s/confirm";
    Json payload = confirmationPayload(input);
    const char* key;
    json_t* value;
    std::vector<std::string> keys;
    json_object_foreach(payload.get(), key, value) keys.emplace_back(key);
    ASSERT_GE(keys.size(), 3u);
    EXPECT_EQ(keys[0], "WSGISubscribeURL");
    EXPECT_EQ(keys[1], "WebSocketSubscribeURL");
    EXPECT_EQ(keys[2], "Message_Type");
    EXPECT_STREQ(json_string_value(payload.at("Message_Type")), "UnsubscribeConfirmation");
    EXPECT_STREQ(json_string_value(payload.at("Message")),
                 "You have unsubscribed successfully to the queue: q, you can resubscribe it by "
                 "using confirmed=True.");
}

}  // namespace
}  // namespace zaqard::notifiers
