// Unit tests of the subscription input rules (validation.py subscription_*) and of the
// notification key names (storage/redis/notification_keys.h).
#include <gtest/gtest.h>

#include "src/api/subscription_validation.h"
#include "storage/redis/key_layout.h"
#include "storage/redis/notification_keys.h"

namespace zaqard::api {
namespace {

constexpr double kNow = 1.7e9;

Description check(const char* json, bool requireSubscriber = true) {
    Json document = parseJsonValue(json);
    return validateSubscription(document.get(), requireSubscriber, Limits{}, kNow);
}

TEST(SubscriptionValidation, Scheme) {
    EXPECT_EQ(subscriberScheme("http://h/p"), "http");
    EXPECT_EQ(subscriberScheme("HTTPS://h"), "https");
    EXPECT_EQ(subscriberScheme("mailto:a@b"), "mailto");
    EXPECT_EQ(subscriberScheme("trust+http://h"), "trust+http");
    EXPECT_EQ(subscriberScheme("nourl"), "");
    EXPECT_EQ(subscriberScheme("1http://h"), "");
    EXPECT_EQ(subscriberScheme(":x"), "");
}

TEST(SubscriptionValidation, Posting) {
    EXPECT_EQ(check("{}"), "Missing parameter subscriber in body.");
    EXPECT_EQ(check(R"({"ttl": 100})"), "Missing parameter subscriber in body.");
    EXPECT_EQ(check(R"({"subscriber": "ftp://x"})"),
              "The subscriber type of subscription must be supported in the list ['http', "
              "'https', 'mailto', 'trust+http', 'trust+https'].");
    EXPECT_EQ(check(R"({"subscriber": ""})").has_value(), true);
    EXPECT_EQ(check(R"({"subscriber": "http://h", "options": [1]})"), "Options must be a dict.");
    // Beyond Zaqar (it stores a falsy non-dict): refused.
    EXPECT_EQ(check(R"({"subscriber": "http://h", "options": ""})"), "Options must be a dict.");
    EXPECT_EQ(check(R"({"subscriber": "http://h", "options": []})"), "Options must be a dict.");
    EXPECT_EQ(check(R"({"subscriber": "http://h", "options": null})"), std::nullopt);
    EXPECT_EQ(check(R"({"subscriber": "http://h", "ttl": "x"})"), "TTL must be an integer.");
    EXPECT_EQ(check(R"({"subscriber": "http://h", "ttl": 59})"),
              "The TTL for a subscription must be at least 60 seconds long.");
    EXPECT_EQ(check(R"({"subscriber": "http://h", "ttl": 0})"),
              "The TTL for a subscription must be at least 60 seconds long.");
    EXPECT_EQ(check(R"({"subscriber": "http://h", "ttl": 60})"), std::nullopt);
    EXPECT_EQ(check(R"({"subscriber": "http://h", "ttl": 253402300799})"),
              "The TTL seconds for a subscription plus current time must be less than "
              "9999-12-31 23:59:59.999999.");
    EXPECT_EQ(check(R"({"subscriber": "http://h", "options": {"_retry_policy": 3}})"),
              "retry_policy must be a dict.");
}

TEST(SubscriptionValidation, Patching) {
    EXPECT_EQ(check("{}", false), "No subscription to create.");
    EXPECT_EQ(check(R"({"ttl": 120})", false), std::nullopt);
    EXPECT_EQ(check(R"({"subscriber": "gopher://x"})", false).has_value(), true);
}

// A null field is a field not given (python-zaqarclient's update sends all three).
TEST(SubscriptionValidation, PatchingNullIsNotGiven) {
    EXPECT_EQ(check(R"({"subscriber": null, "ttl": 7200, "options": {}})", false), std::nullopt);
    EXPECT_EQ(check(R"({"subscriber": null, "ttl": null, "options": null})", false), std::nullopt);
    const std::string types =
        "The subscriber type of subscription must be supported in the list ['http', 'https', "
        "'mailto', 'trust+http', 'trust+https'].";
    // An empty or non-string subscriber is not "not given".
    EXPECT_EQ(check(R"({"subscriber": ""})", false), types);
    EXPECT_EQ(check(R"({"subscriber": 5})", false), types);
    EXPECT_EQ(check(R"({"subscriber": ["http://h"]})", false), types);
    // On POST the subscriber must be given: null is refused.
    EXPECT_EQ(check(R"({"subscriber": null})"), types);
}

TEST(SubscriptionValidation, TtlTypes) {
    const std::string typeText = "TTL must be an integer.";
    const std::string minText = "The TTL for a subscription must be at least 60 seconds long.";
    for (const char* bad : {"60.0", "1.5", "\"60\"", "[]", "{}", "\"\"", "0.0", "[60]"}) {
        std::string doc = std::string(R"({"ttl": )") + bad + "}";
        EXPECT_EQ(check(doc.c_str(), false), typeText) << doc;
    }
    // Booleans are Python ints: 1 and 0, below the minimum.
    EXPECT_EQ(check(R"({"ttl": true})", false), minText);
    EXPECT_EQ(check(R"({"ttl": false})", false), minText);
    EXPECT_EQ(check(R"({"ttl": -1})", false), minText);
    EXPECT_EQ(check(R"({"ttl": null})", false), std::nullopt);
    EXPECT_EQ(check(R"({"subscriber": "http://h", "ttl": null})"), std::nullopt);
}

TEST(SubscriptionValidation, ListLimit) {
    EXPECT_EQ(subscriptionListLimit(1, Limits{}), std::nullopt);
    EXPECT_EQ(subscriptionListLimit(20, Limits{}), std::nullopt);
    EXPECT_EQ(subscriptionListLimit(21, Limits{}),
              "Limit must be at least 1 and may not be greater than 20.");
    EXPECT_EQ(subscriptionListLimit(0, Limits{}).has_value(), true);
}

TEST(SubscriptionValidation, TtlAndOptions) {
    Json doc = parseJsonValue(R"({"ttl": 600, "options": {"a": 1}})");
    EXPECT_EQ(subscriptionTtl(doc.get(), 3600), 600);
    EXPECT_EQ(subscriptionOptions(doc.get()).dump(), R"({"a":1})");
    Json empty = parseJsonValue(R"({"options": null})");
    EXPECT_EQ(subscriptionTtl(empty.get(), 3600), 3600);
    EXPECT_EQ(subscriptionOptions(empty.get()).dump(), "{}");
}

TEST(NotificationKeys, SameTagAndRoundTrip) {
    storage::QueueRef queue{"proj/{x} é", "q-1.a"};
    std::string tag = storage::redis::queueTag(queue);
    auto keys = storage::redis::subscriptionKeys(tag);
    ASSERT_EQ(keys.size(), 19u);
    for (const auto& key : keys) EXPECT_NE(key.find("{" + tag + "}"), std::string::npos) << key;
    EXPECT_EQ(keys[11], "z:s:{" + tag + "}");
    EXPECT_EQ(keys[14], "z:n:{" + tag + "}");
    auto back = storage::redis::queueOfTag(tag);
    EXPECT_EQ(back.project, queue.project);
    EXPECT_EQ(back.name, queue.name);
}

TEST(NotificationKeys, TopicTagsAreTheirOwnNamespace) {
    namespace layout = storage::redis;
    storage::QueueRef topic{"proj/{x}", "t-1.a", storage::ResourceKind::Topic};
    storage::QueueRef queue{"proj/{x}", "t-1.a"};
    std::string tag = layout::queueTag(topic);
    EXPECT_EQ(tag, "proj%2F%7Bx%7D/t:t-1.a");
    EXPECT_NE(tag, layout::queueTag(queue));
    // A queue whose name looks like the marker is escaped out of the way.
    EXPECT_EQ(layout::queueTag({"p", "t:x"}), "p/t%3Ax");
    EXPECT_FALSE(layout::isTopicTag(layout::queueTag({"p", "t:x"})));
    EXPECT_TRUE(layout::isTopicTag(tag));
    EXPECT_EQ(layout::queueNameOfTag(tag), "t-1.a");
    EXPECT_EQ(layout::projectIndexKeyOfTag(tag), "z:topics:{proj%2F%7Bx%7D}");
    EXPECT_EQ(layout::projectIndexKey("proj/{x}", storage::ResourceKind::Topic),
              layout::projectIndexKeyOfTag(tag));
    EXPECT_EQ(layout::projectIndexKeyOfTag(layout::queueTag(queue)), "z:queues:{proj%2F%7Bx%7D}");
    auto back = layout::queueOfTag(tag);
    EXPECT_EQ(back.project, topic.project);
    EXPECT_EQ(back.name, topic.name);
    EXPECT_EQ(back.kind, storage::ResourceKind::Topic);
    EXPECT_EQ(layout::queueOfTag(layout::queueTag(queue)).kind, storage::ResourceKind::Queue);
    // One slot per topic: every key carries the tag.
    for (const auto& key : layout::subscriptionKeys(tag))
        EXPECT_EQ(layout::keySlot(key), layout::keySlot("{" + tag + "}")) << key;
}

}  // namespace
}  // namespace zaqard::api
