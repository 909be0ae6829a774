// Unit tests of the api layer's input rules: names, Client-ID forms, query ints/bools,
// limits and TTL texts (rest-v2.md §1.3, §1.4, §2).
#include <gtest/gtest.h>

#include "src/api/body.h"
#include "src/api/python_compat.h"
#include "src/api/query.h"
#include "src/api/validation.h"
#include "src/common/json.h"

namespace zaqard::api {
namespace {

std::string description(const Response& r) {
    const json_t* d = r.body.at("description");
    return d ? json_string_value(d) : "";
}
std::string title(const Response& r) {
    return json_string_value(r.body.at("title"));
}

TEST(Validation, QueueNames) {
    EXPECT_TRUE(isValidQueueName("fizbit"));
    EXPECT_TRUE(isValidQueueName("a.b-c_D9"));
    EXPECT_TRUE(isValidQueueName(std::string(64, 'x')));
    EXPECT_FALSE(isValidQueueName(std::string(65, 'x')));
    EXPECT_FALSE(isValidQueueName(""));
    EXPECT_FALSE(isValidQueueName("a b"));
    EXPECT_FALSE(isValidQueueName("a/b"));
    EXPECT_FALSE(isValidQueueName("caf\xc3\xa9"));
    EXPECT_FALSE(isValidQueueName("q\n"));
}

TEST(Validation, QueueIdentificationChecksProjectLength) {
    EXPECT_FALSE(checkQueueIdentification("q", std::string(256, 'p')));
    auto r = checkQueueIdentification("q", std::string(257, 'p'));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(title(*r), "Invalid queue identification");
    EXPECT_EQ(description(*r),
              "The format of the submitted queue name or project id is not valid.");
}

TEST(Validation, ClientIdStrictAcceptsEveryUuidForm) {
    Limits limits;
    const char* forms[] = {
        "3381af92-2b9e-11e3-b191-71861300734c", "3381AF92-2B9E-11E3-B191-71861300734C",
        "3381af922b9e11e3b19171861300734c", "{3381af92-2b9e-11e3-b191-71861300734c}",
        "urn:uuid:3381af92-2b9e-11e3-b191-71861300734c"};
    for (const char* form : forms) {
        Headers headers{{"client-id", form}};
        std::string normalized;
        EXPECT_FALSE(checkClientId(headers, limits, normalized)) << form;
        EXPECT_EQ(normalized, "3381af92-2b9e-11e3-b191-71861300734c");
    }
}

TEST(Validation, ClientIdStrictErrors) {
    Limits limits;
    std::string normalized;
    auto missing = checkClientId(Headers{}, limits, normalized);
    ASSERT_TRUE(missing);
    EXPECT_EQ(title(*missing), "Missing header value");
    EXPECT_EQ(description(*missing), "The \"Client-ID\" header is required.");
    auto bad = checkClientId(Headers{{"Client-ID", "not-a-uuid"}}, limits, normalized);
    ASSERT_TRUE(bad);
    EXPECT_EQ(title(*bad), "Wrong UUID value");
    EXPECT_EQ(description(*bad), "Malformed hexadecimal UUID.");
}

TEST(Validation, ClientIdOffModeChecksLengthOnly) {
    Limits limits;
    limits.client_id_uuid_safe_strict = false;
    std::string normalized;
    EXPECT_FALSE(checkClientId(Headers{{"Client-ID", "0123456789"}}, limits, normalized));
    EXPECT_EQ(normalized, "0123456789");
    auto shortId = checkClientId(Headers{{"Client-ID", "short"}}, limits, normalized);
    ASSERT_TRUE(shortId);
    EXPECT_EQ(title(*shortId), "Length of client id must be at least 10 and no greater than 36.");
    EXPECT_EQ(shortId->body.at("description"), nullptr);
    EXPECT_TRUE(checkClientId(Headers{{"Client-ID", std::string(37, 'c')}}, limits, normalized));
}

TEST(Validation, ProjectHeader) {
    std::string project;
    auto missing = checkProjectId(Headers{}, project);
    ASSERT_TRUE(missing);
    EXPECT_EQ(title(*missing), "Project-Id Missing");
    auto empty = checkProjectId(Headers{{"x-project-id", ""}}, project);
    ASSERT_TRUE(empty);
    EXPECT_EQ(title(*empty), "Empty project header not allowed");
    EXPECT_FALSE(checkProjectId(Headers{{"X-PROJECT-ID", "p"}}, project));
    EXPECT_EQ(project, "p");
}

TEST(Validation, PythonInt) {
    EXPECT_EQ(py::parseInt("5"), 5);
    EXPECT_EQ(py::parseInt(" 5 "), 5);
    EXPECT_EQ(py::parseInt("+5"), 5);
    EXPECT_EQ(py::parseInt("-5"), -5);
    EXPECT_EQ(py::parseInt("1_0"), 10);
    EXPECT_FALSE(py::parseInt("1__0"));
    EXPECT_FALSE(py::parseInt("_1"));
    EXPECT_FALSE(py::parseInt("1_"));
    EXPECT_FALSE(py::parseInt("a"));
    EXPECT_FALSE(py::parseInt("1.5"));
    EXPECT_FALSE(py::parseInt(""));
    EXPECT_EQ(py::parseInt("99999999999999999999999"), INT64_MAX);
}

TEST(Query, BlankDroppedLastWinsCommaLists) {
    QueryParams q({{"marker", ""}, {"limit", "5"}, {"limit", "6"}, {"ids", "a,,b"}, {"ids", "c"}});
    EXPECT_FALSE(q.has("marker"));
    EXPECT_FALSE(q.getString("marker"));
    std::optional<int64_t> limit;
    EXPECT_FALSE(q.getInt("limit", limit));
    EXPECT_EQ(limit, 6);
    EXPECT_EQ(q.getList("ids"), (std::vector<std::string>{"a", "b", "c"}));
    QueryParams commaOnly(QueryPairs{{"ids", ","}});
    ASSERT_TRUE(commaOnly.getList("ids"));
    EXPECT_TRUE(commaOnly.getList("ids")->empty());
    QueryParams scalarList(QueryPairs{{"marker", "a,b"}});
    EXPECT_EQ(scalarList.getString("marker"), "b");
}

TEST(Query, IntErrors) {
    QueryParams q(QueryPairs{{"limit", "abc"}});
    std::optional<int64_t> limit;
    auto r = q.getInt("limit", limit);
    ASSERT_TRUE(r);
    EXPECT_EQ(title(*r), "Invalid parameter");
    EXPECT_EQ(description(*r), "The \"limit\" parameter is invalid. The value must be an integer.");
}

TEST(Query, FalconBooleans) {
    for (const char* word : {"true", "True", "t", "yes", "y", "1", "on"})
        EXPECT_EQ(parseFalconBool(word), true) << word;
    for (const char* word : {"false", "False", "f", "no", "n", "0", "off"})
        EXPECT_EQ(parseFalconBool(word), false) << word;
    for (const char* word : {"TRUE", "Yes", " true", "2", "nope"})
        EXPECT_FALSE(parseFalconBool(word)) << word;
    QueryParams q(QueryPairs{{"echo", "Yes"}});
    std::optional<bool> echo;
    auto r = q.getBool("echo", echo);
    ASSERT_TRUE(r);
    EXPECT_EQ(description(*r),
              "The \"echo\" parameter is invalid. The value of the parameter must be \"true\" or "
              "\"false\".");
}

TEST(Query, ReadOrderIsRemembered) {
    QueryParams q({{"echo", "yes"}, {"limit", "1_0"}, {"marker", "m1"}});
    std::optional<int64_t> limit;
    std::optional<bool> echo;
    q.getString("marker");
    q.getInt("limit", limit);
    q.getBool("echo", echo);
    q.getString("absent");
    EXPECT_EQ(q.read(), (QueryPairs{{"marker", "m1"}, {"limit", "10"}, {"echo", "true"}}));
}

// get_checked_field(doc, name, int, default): isinstance(value, int), booleans included.
TEST(Body, CheckedIntField) {
    auto field = [](const char* json, int64_t& out) {
        Json doc = parseJsonValue(json);
        return checkedIntField(doc.get(), "delay", 7, out);
    };
    int64_t out = 0;
    EXPECT_FALSE(field(R"({})", out));
    EXPECT_EQ(out, 7);
    EXPECT_FALSE(field(R"({"delay": 30})", out));
    EXPECT_EQ(out, 30);
    EXPECT_FALSE(field(R"({"delay": true})", out));
    EXPECT_EQ(out, 1);
    EXPECT_FALSE(field(R"({"delay": false})", out));
    EXPECT_EQ(out, 0);
    for (const char* bad : {R"({"delay": null})", R"({"delay": 60.0})", R"({"delay": 1.5})",
                            R"({"delay": "60"})", R"({"delay": []})", R"({"delay": {}})"}) {
        auto rejection = field(bad, out);
        ASSERT_TRUE(rejection) << bad;
        EXPECT_EQ(rejection->status, 400);
        EXPECT_EQ(title(*rejection), "Invalid request body");
        EXPECT_EQ(description(*rejection), "The value of the \"delay\" field must be a int.");
    }
}

TEST(Limits, Texts) {
    Limits l;
    EXPECT_FALSE(queueListLimit(20, l));
    EXPECT_EQ(queueListLimit(0, l), "Limit must be at least 1 and no greater than 20.");
    EXPECT_EQ(messageListLimit(21, l), "Limit must be at least 1 and may not be greater than 20.");
    EXPECT_EQ(claimLimit(0, l), "Limit must be at least 1 and may not be greater than 20.");
    EXPECT_EQ(popLimit(21, l), "Pop value must be at least 1 and may not be greater than 20.");
    EXPECT_EQ(deleteIdsCount(0, l),
              "ids parameter should have at least 1 and not greater than 20 values.");
    EXPECT_FALSE(deleteIdsCount(20, l));
    EXPECT_FALSE(messageTtl(60, l));
    EXPECT_FALSE(messageTtl(1209600, l));
    EXPECT_EQ(messageTtl(59, l),
              "The TTL for a message may not exceed 1209600 seconds, and must be at least 60 "
              "seconds long.");
    EXPECT_EQ(messageDelayText(l),
              "The Delay TTL for a message may not exceed 900 seconds,and must be at least 0 "
              "seconds long.");
    EXPECT_EQ(claimTtl(43201, l),
              "The TTL for a claim may not exceed 43200 seconds, and must be at least 60 seconds "
              "long.");
    EXPECT_FALSE(claimTtl(60, l));
    EXPECT_EQ(claimGrace(59, l),
              "The grace for a claim may not exceed 43200 seconds, and must be at least 60 "
              "seconds long.");
    EXPECT_EQ(messagePostSize(262145, l), "Message collection size is too large. Max size 262144");
    EXPECT_FALSE(messagePostSize(262144, l));
    EXPECT_EQ(messagePostSizeForQueue(100, l),
              "Message collection size is too large. The max size for current queue is 100. It "
              "is calculated by max size = min(max_messages_post_size_config: 262144, "
              "max_messages_post_size_queue: 100).");
    EXPECT_EQ(queueMetadataSize(65537, l), "Queue metadata is too large. Max size: 65536");
    l.max_messages_per_page = 5;
    EXPECT_EQ(messageListLimit(6, l), "Limit must be at least 1 and may not be greater than 5.");
}

TEST(PythonRepr, StringsListsSets) {
    EXPECT_EQ(py::repr("a"), "'a'");
    EXPECT_EQ(py::repr("it's"), "\"it's\"");
    EXPECT_EQ(py::repr("a'b\"c"), "'a\\'b\"c'");
    EXPECT_EQ(py::reprList({"a", "b"}), "['a', 'b']");
    EXPECT_EQ(py::reprSet({"foo"}), "{'foo'}");
    EXPECT_EQ(py::reprSet({"b", "a", "b"}), "{'a', 'b'}");
}

// len(str(json.loads(text))) as Python 3.11 computes it (the expected numbers are
// Python's own): quotes, escapes, Latin-1 and wider non-printables, floats, nesting.
TEST(PythonRepr, StrLengthOfDecodedJson) {
    auto length = [](const char* text) {
        Json value = parseJsonValue(text);
        EXPECT_TRUE(value) << text;
        return py::strLength(value.get());
    };
    EXPECT_EQ(length("{}"), 2u);
    EXPECT_EQ(length("[{\"body\": {\"n\": 1}, \"ttl\": 300}]"), 32u);
    EXPECT_EQ(length(R"({"a": [1, 2.5, true, null, false], "b": "it's", "c": "x\"y'z",
                        "d": "\t\u0001\u007f",
                        "\u00e9": "\u00a0\u00ad\u00e9\u2028\u4e2d\ud83d\ude00\udb80\udc00",
                        "e": 1e16, "f": 0.1, "g": {}, "h": []})"),
              157u);
}

}  // namespace
}  // namespace zaqard::api
