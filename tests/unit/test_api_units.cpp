// Unit tests of the api layer's pure parts: reserved queue metadata, pagination links,
// REST shapes, Python-compatible JSON/checksums, share signatures and the home document.
#include <gtest/gtest.h>

#include "src/api/checksum.h"
#include "src/api/documents.h"
#include "src/api/links.h"
#include "src/api/queue_metadata.h"
#include "src/api/render_rest.h"
#include "src/api/signed_url.h"
#include "src/common/python_json.h"

namespace zaqard::api {
namespace {

Description validate(const char* json) {
    Json metadata = parseJsonValue(json);
    return validateQueueMetadata(metadata.get(), Limits{});
}

TEST(QueueMetadata, ReservedKeyValidation) {
    EXPECT_FALSE(validate(R"({"a": 1, "_default_message_ttl": 60, "_max_messages_post_size": 1,
        "_default_message_delay": 0, "_dead_letter_queue": "dlq",
        "_dead_letter_queue_messages_ttl": 1209600, "_max_claim_count": -3,
        "_enable_encrypt_messages": true, "_flavor": "f"})"));
    EXPECT_FALSE(validate(R"({"_default_message_ttl": null, "_max_claim_count": null})"));
    EXPECT_EQ(validate(R"({"_default_message_ttl": "x"})"),
              "_default_message_ttl must be integer.");
    // true is the Python int 1: Zaqar's range text, not the type text.
    EXPECT_EQ(validate(R"({"_default_message_ttl": true})"),
              "_default_message_ttl can not exceed 1209600 seconds, and must be at least 60 "
              "seconds long.");
    EXPECT_EQ(validate(R"({"_default_message_ttl": 0})"),
              "_default_message_ttl can not exceed 1209600 seconds, and must be at least 60 "
              "seconds long.");
    EXPECT_EQ(validate(R"({"_default_message_ttl": ""})"), "_default_message_ttl must be integer.");
    EXPECT_EQ(validate(R"({"_max_messages_post_size": 262145})"),
              "_max_messages_post_size can not exceed 262144,  and must be at least greater than "
              "0.");
    EXPECT_EQ(validate(R"({"_max_messages_post_size": 1.5})"),
              "_max_messages_post_size must be integer.");
    EXPECT_EQ(validate(R"({"_max_claim_count": "3"})"), "_max_claim_count must be integer.");
    EXPECT_EQ(validate(R"({"_dead_letter_queue_messages_ttl": 59})"),
              "The TTL for a message may not exceed 1209600 seconds, and must be at least 60 "
              "seconds long.");
    EXPECT_EQ(validate(R"({"_dead_letter_queue_messages_ttl": "a"})"),
              "_dead_letter_queue_messages_ttl must be integer.");
    EXPECT_EQ(validate(R"({"_default_message_delay": 901})"),
              "The TTL can not exceed 900 seconds, and must be at least 0 seconds long.");
    EXPECT_EQ(validate(R"({"_default_message_delay": []})"),
              "_default_message_delay must be integer.");
    EXPECT_EQ(validate(R"({"_enable_encrypt_messages": 1})"),
              "_enable_encrypt_messages must be boolean.");
}

// Python semantics of queue_metadata_putting: falsy values skip the type check and meet the
// range check; values Zaqar would store with another type (or crash on) get the type text.
TEST(QueueMetadata, PythonTypeSemantics) {
    const std::string ttlRange =
        "_default_message_ttl can not exceed 1209600 seconds, and must be at least 60 seconds "
        "long.";
    EXPECT_EQ(validate(R"({"_default_message_ttl": false})"), ttlRange);
    EXPECT_EQ(validate(R"({"_default_message_ttl": 0.0})"), ttlRange);
    EXPECT_EQ(validate(R"({"_default_message_ttl": 60.0})"),
              "_default_message_ttl must be integer.");
    EXPECT_EQ(validate(R"({"_default_message_ttl": {}})"), "_default_message_ttl must be integer.");
    EXPECT_EQ(validate(R"({"_default_message_ttl": [1]})"),
              "_default_message_ttl must be integer.");
    const std::string delayType = "_default_message_delay must be integer.";
    // In range for Zaqar (it stores the boolean / float): refused with the type text.
    EXPECT_EQ(validate(R"({"_default_message_delay": true})"), delayType);
    EXPECT_EQ(validate(R"({"_default_message_delay": false})"), delayType);
    EXPECT_EQ(validate(R"({"_default_message_delay": 0.0})"), delayType);
    EXPECT_EQ(validate(R"({"_default_message_delay": -0.5})"), delayType);  // truthy float
    EXPECT_EQ(validate(R"({"_max_messages_post_size": true})"),
              "_max_messages_post_size must be integer.");
    EXPECT_EQ(validate(R"({"_max_messages_post_size": false})"),
              "_max_messages_post_size can not exceed 262144,  and must be at least greater than "
              "0.");
    EXPECT_EQ(validate(R"({"_max_claim_count": true})"), "_max_claim_count must be integer.");
    EXPECT_EQ(validate(R"({"_max_claim_count": ""})"), "_max_claim_count must be integer.");
    EXPECT_EQ(validate(R"({"_dead_letter_queue_messages_ttl": true})"),
              "The TTL for a message may not exceed 1209600 seconds, and must be at least 60 "
              "seconds long.");
    EXPECT_EQ(validate(R"({"_enable_encrypt_messages": 0})"),
              "_enable_encrypt_messages must be boolean.");
    EXPECT_FALSE(validate(R"({"_enable_encrypt_messages": null, "_dead_letter_queue": 5})"));
    // Zaqar's order: the TTL before the post size.
    EXPECT_EQ(validate(R"({"_max_messages_post_size": "x", "_default_message_ttl": "y"})"),
              "_default_message_ttl must be integer.");
}

TEST(QueueMetadata, RetryPolicy) {
    EXPECT_FALSE(validate(R"({"_retry_policy": {}})"));
    EXPECT_FALSE(validate(R"({"_retry_policy": {"minimum_delay": 5, "maximum_delay": 15}})"));
    EXPECT_EQ(validate(R"({"_retry_policy": "x"})"), "retry_policy must be a dict.");
    EXPECT_EQ(validate(R"({"_retry_policy": {"retry_backoff_function": 1}})"),
              "retry_backoff_function must be a string.");
    EXPECT_EQ(validate(R"({"_retry_policy": {"retry_backoff_function": "cubic"}})"),
              "invalid retry_backoff_function.");
    EXPECT_EQ(validate(R"({"_retry_policy": {"ignore_subscription_override": "yes"}})"),
              "ignore_subscription_override must be a boolean.");
    EXPECT_EQ(validate(R"({"_retry_policy": {"minimum_delay_retries": "3"}})"),
              "Retry policy: minimum_delay_retries must be a integer.");
    EXPECT_EQ(validate(R"({"_retry_policy": {"minimum_delay": 40}})"),
              "minimum_delay must less than maximum_delay.");
    EXPECT_EQ(validate(R"({"_retry_policy": {"minimum_delay": 25}})"),
              "invalid minimum_delay and maximum_delay.");
}

TEST(QueueMetadata, DefaultsFillAbsentAndFalsy) {
    Json stored = parseJsonValue(R"({"a": 1, "_max_claim_count": 0, "_default_message_ttl": 300})");
    Json shown = withReservedDefaults(stored.get(), Limits{});
    EXPECT_EQ(shown.dump(), R"({"a":1,"_max_claim_count":null,"_default_message_ttl":300,)"
                            R"("_max_messages_post_size":262144,"_default_message_delay":0,)"
                            R"("_dead_letter_queue":null,"_dead_letter_queue_messages_ttl":null,)"
                            R"("_enable_encrypt_messages":false})");
    // The stored value itself is untouched.
    EXPECT_EQ(stored.dump(), R"({"a":1,"_max_claim_count":0,"_default_message_ttl":300})");
    EXPECT_EQ(withReservedDefaults(nullptr, Limits{}).dump(),
              R"({"_max_messages_post_size":262144,"_default_message_ttl":3600,)"
              R"("_default_message_delay":0,"_dead_letter_queue":null,)"
              R"("_dead_letter_queue_messages_ttl":null,"_max_claim_count":null,)"
              R"("_enable_encrypt_messages":false})");
    EXPECT_TRUE(isDefaultedReservedKey("_enable_encrypt_messages"));
    EXPECT_FALSE(isDefaultedReservedKey("_retry_policy"));
}

TEST(Links, NextHrefKeepsReadOrderAndReplacesMarker) {
    EXPECT_EQ(nextPageHref("/v2/queues", {{"limit", "2"}, {"detailed", "true"}}, "withmeta"),
              "/v2/queues?limit=2&detailed=true&marker=withmeta");
    EXPECT_EQ(nextPageHref("/v2/queues/q/messages", {{"marker", "old"}, {"limit", "1"}}, "new"),
              "/v2/queues/q/messages?marker=new&limit=1");
    EXPECT_EQ(nextPageHref("/v2/queues", {{"name", "a b/c,d~"}}, "m"),
              "/v2/queues?name=a%20b%2Fc%2Cd~&marker=m");
    EXPECT_EQ(percentEncode("\xc3\xa9"), "%C3%A9");
    EXPECT_EQ(pageLinks(true, "x").dump(), "[]");
    EXPECT_EQ(pageLinks(false, "/v2/queues?marker=a").dump(),
              R"([{"rel":"next","href":"/v2/queues?marker=a"}])");
}

TEST(RenderRest, MessageShapes) {
    storage::Message m;
    m.id = "m1";
    m.body = R"({"event": "a"})";
    m.ttl = 300;
    m.age = 2;
    EXPECT_EQ(rest::message(m, "/v2/queues/q", false).dump(),
              R"({"id":"m1","href":"/v2/queues/q/messages/m1","ttl":300,"age":2,)"
              R"("body":{"event":"a"}})");
    m.claimId = "c1";
    EXPECT_EQ(json_string_value(rest::message(m, "/v2/queues/q", false).at("href")),
              std::string("/v2/queues/q/messages/m1?claim_id=c1"));
    m.claimCount = 1;
    EXPECT_EQ(rest::popItem(m, false).dump(),
              R"({"id":"m1","age":2,"ttl":300,"body":{"event":"a"},"claim_id":null,)"
              R"("claim_count":1})");
    Json withSum = rest::message(m, "/v2/queues/q", true);
    EXPECT_EQ(std::string(json_string_value(withSum.at("checksum"))).rfind("MD5:", 0), 0u);
}

TEST(RenderRest, StatsAndClaim) {
    storage::QueueStats empty;
    EXPECT_EQ(rest::stats(empty, "/v2/queues/q").dump(),
              R"({"messages":{"claimed":0,"free":0,"total":0}})");
    storage::QueueStats s;
    s.total = 2;
    s.free = 1;
    s.claimed = 1;
    storage::Message oldest;
    oldest.id = "o";
    oldest.age = 12;
    oldest.created = 1795421669;  // 2026-11-23T08:14:29Z
    s.oldest = oldest;
    s.newest = oldest;
    Json out = rest::stats(s, "/v2/queues/q");
    const json_t* o = json_object_get(out.at("messages"), "oldest");
    EXPECT_EQ(dumpJson(o),
              R"({"href":"/v2/queues/q/messages/o","age":12,"created":"2026-11-23T08:14:29Z"})");

    storage::ClaimInfo info;
    info.id = "c";
    info.ttl = 60;
    info.age = 1;
    storage::Message m;
    m.id = "m";
    m.body = "0";
    m.ttl = 120;
    info.messages.push_back(m);
    EXPECT_EQ(
        rest::claim(info, "/v2/queues/cq", false).dump(),
        R"({"age":1,"ttl":60,"messages":[{"id":"m","href":"/v2/queues/cq/messages/m?claim_id=c",)"
        R"("ttl":120,"age":0,"body":0}],"href":"/v2/queues/cq/claims/c"})");
    // As text: the same bytes, and a stored body comes back as it was posted.
    EXPECT_EQ(rest::claimText(info, "/v2/queues/cq", false),
              rest::claim(info, "/v2/queues/cq", false).dump());
    EXPECT_EQ(rest::messageText(info.messages[0], "/v2/queues/cq", false),
              rest::message(info.messages[0], "/v2/queues/cq", false).dump());
    info.messages[0].body = "{\"a\": [1.50, 0.12345678901234567890]}";
    info.messages[0].claimId = "c";
    EXPECT_EQ(
        rest::claimText(info, "/v2/queues/cq", false),
        R"({"age":1,"ttl":60,"messages":[{"id":"m","href":"/v2/queues/cq/messages/m?claim_id=c",)"
        R"("ttl":120,"age":0,"body":{"a": [1.50, 0.12345678901234567890]}}],)"
        R"("href":"/v2/queues/cq/claims/c"})");
    EXPECT_EQ(rest::messageText(info.messages[0], "/v2/queues/cq", false),
              R"({"id":"m","href":"/v2/queues/cq/messages/m?claim_id=c","ttl":120,"age":0,)"
              R"("body":{"a": [1.50, 0.12345678901234567890]}})");
    EXPECT_EQ(rest::claimText(info, "/v2/queues/cq", true),
              rest::claim(info, "/v2/queues/cq", true).dump());
}

TEST(PythonJson, DumpsAndChecksumsMatchPython) {
    struct Case {
        const char* json;
        const char* dumped;
        const char* checksum;
    } cases[] = {
        {"{\"a\": 1, \"b\": [1.5, \"h\\u00e9llo \\u2603\", null, true]}",
         "{\"a\": 1, \"b\": [1.5, \"h\\u00e9llo \\u2603\", null, true]}",
         "MD5:27fbca62e87fc114dc00021f0187ddfd"},
        {"\"x\"", "\"x\"", "MD5:3fbf839fa0e778a20326ddc34f5cd588"},
        {"0.1", "0.1", "MD5:cb5ae17636e975f9bf71ddf5bc542075"},
        {"1e16", "1e+16", "MD5:17ad58a7ab5201decb18b0996a327592"},
        {"1.5e-05", "1.5e-05", "MD5:5e125154cf148168276bead51fe08dc6"},
        {"123456789.125", "123456789.125", "MD5:10549462475c217e26b32b00785f76b8"},
        {"{\"e\": \"\\ud83d\\ude00\"}", "{\"e\": \"\\ud83d\\ude00\"}",
         "MD5:f3d2b935a52d6e85e316ca6387351a44"},
    };
    for (const auto& c : cases) {
        Json value = parseJsonValue(c.json);
        ASSERT_TRUE(value) << c.json;
        EXPECT_EQ(pythonJsonDumps(value.get()), c.dumped);
        EXPECT_EQ(py::messageChecksum(value.get()), c.checksum);
    }
}

TEST(SignedUrl, ReferenceVectors) {
    EXPECT_EQ(signUrl("test-secret-key", {"/v2/queues/shq/messages"}, {"GET"}, "proj-a",
                      "2026-11-24T08:15:23"),
              "7f659339f07e8df5f593b72ce41e53a3bb3237e475a5e4c2b7feec844d671a88");
    EXPECT_EQ(signUrl("test-secret-key", {"/v2/queues/shq/claims", "/v2/queues/shq/messages"},
                      {"GET", "POST"}, "proj-a", "2099-01-01T00:00:00"),
              "6afc16ae75f4bab8c6cde95524d73adfce84aeb08fe04e249edc32709bf02841");
}

TEST(SignedUrl, IsoTimes) {
    auto at = [](const char* text) { return parseIsoTime(text).unixSeconds; };
    EXPECT_EQ(formatExpires(*at("2099-01-01T00:00:00")), "2099-01-01T00:00:00");
    EXPECT_EQ(formatExpires(*at("2099-01-01T00:00:00Z")), "2099-01-01T00:00:00");
    EXPECT_EQ(formatExpires(*at("2099-01-01T00:00:00.5+02:00")), "2098-12-31T22:00:00");
    EXPECT_EQ(formatExpires(*at("20990101T000000")), "2099-01-01T00:00:00");
    EXPECT_EQ(formatExpires(*at("2099-01-01 00:00")), "2099-01-01T00:00:00");
    EXPECT_EQ(formatExpires(*at("2099-01")), "2099-01-01T00:00:00");
    EXPECT_EQ(formatExpires(*at("2099")), "2099-01-01T00:00:00");
    EXPECT_DOUBLE_EQ(*at("1970-01-01T00:00:01.25"), 1.25);
    EXPECT_EQ(parseIsoTime("garbage").error, "Unable to parse date string 'garbage'");
    EXPECT_EQ(parseIsoTime("2099-W01").error, "Unable to parse date string '2099-W01'");
    EXPECT_EQ(parseIsoTime("2099-13-01").error, "month must be in 1..12");
}

TEST(Documents, HomeAndVersions) {
    Response plain = homeDocument(false);
    EXPECT_EQ(plain.status, 200);
    EXPECT_EQ(plain.contentType, "application/json-home");
    ASSERT_EQ(plain.headers.size(), 1u);
    EXPECT_EQ(plain.headers[0].first, "Cache-Control");
    EXPECT_EQ(plain.headers[0].second, "max-age=86400");
    EXPECT_EQ(plain.rawBody.rfind("{\n    \"resources\": {\n        \"rel/queues\": {", 0), 0u);
    EXPECT_EQ(plain.rawBody.find("rel/health"), std::string::npos);
    Json parsed = parseJsonValue(plain.rawBody);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(json_object_size(parsed.at("resources")), 19u);
    Response admin = homeDocument(true);
    Json adminParsed = parseJsonValue(admin.rawBody);
    EXPECT_EQ(json_object_size(adminParsed.at("resources")), 24u);
    EXPECT_NE(admin.rawBody.find("\"href\": \"/v2/health\""), std::string::npos);

    Response versions = versionsDocument();
    EXPECT_EQ(versions.status, 300);
    EXPECT_EQ(json_array_size(versions.body.at("versions")), 3u);
}

}  // namespace
}  // namespace zaqard::api
