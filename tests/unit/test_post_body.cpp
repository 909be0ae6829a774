// The post body reader (src/api/post_body.h): simdjson On-Demand keeps each message body
// as sent, and on every input gives what the jansson reader gives (same error, same
// fields, bodies equal as JSON).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "src/api/post_body.h"

using namespace zaqard;
using namespace zaqard::api;

namespace {

std::string describe(const PostDocument& d) {
    std::string out = "error=" + std::to_string(static_cast<int>(d.error)) +
                      " has=" + std::to_string(d.hasMessages) +
                      " array=" + std::to_string(d.messagesIsArray) +
                      " items=" + std::to_string(d.items.size());
    for (const auto& item : d.items) {
        out += " [obj=" + std::to_string(item.isObject);
        out += " fields=" + (item.fields ? item.fields.dump() : std::string("-"));
        out += " body=" + (item.body ? *item.body : std::string("-")) + "]";
    }
    return out;
}

// Same outcome as jansson; bodies compared as JSON values (jansson re-dumps them).
::testing::AssertionResult sameAsJansson(const std::string& text) {
    PostDocument fast = readPostBody(text);
    PostDocument reference = readPostBodyWithJansson(text);
    JsonParseResult tree = parseJsonBody(text);
    auto differ = [&](const char* what) {
        return ::testing::AssertionFailure()
               << what << " differs for input [" << text << "]\n  simdjson: " << describe(fast)
               << "\n  jansson:  " << describe(reference);
    };
    if (fast.error != reference.error) return differ("error");
    if (fast.hasMessages != reference.hasMessages) return differ("hasMessages");
    if (fast.messagesIsArray != reference.messagesIsArray) return differ("messagesIsArray");
    if (fast.items.size() != reference.items.size()) return differ("item count");
    for (size_t i = 0; i < fast.items.size(); ++i) {
        const PostItem& a = fast.items[i];
        const PostItem& b = reference.items[i];
        if (a.isObject != b.isObject) return differ("isObject");
        if (bool(a.fields) != bool(b.fields) ||
            (a.fields && !json_equal(a.fields.get(), b.fields.get())))
            return differ("fields");
        if (a.body.has_value() != b.body.has_value()) return differ("body presence");
        if (a.body) {
            // Against the value in the input: the re-dumped text rounds reals to 15 digits.
            Json x = parseJsonValue(*a.body);
            const json_t* y = json_object_get(
                json_array_get(json_object_get(tree.value.get(), "messages"), i), "body");
            if (!x || !y || !json_equal(x.get(), y)) return differ("body");
        }
    }
    return ::testing::AssertionSuccess();
}

std::string nested(int depth, const std::string& inner) {
    return std::string(depth, '[') + inner + std::string(depth, ']');
}

}  // namespace

TEST(PostBody, KeepsEachBodyAsSent) {
    std::string text =
        "{\"messages\": [ {\"ttl\": 300, \"body\": {\"a\": 1,  \"b\": [1, 2.50, \"\\u00e9\"]} },\n"
        "  {\"body\" :\t\"text\" ,\"delay\":5},{\"body\":null}, {\"body\": 1E2 } ] }";
    PostDocument d = readPostBody(text);
    ASSERT_EQ(d.error, JsonParseError::None);
    ASSERT_TRUE(d.hasMessages && d.messagesIsArray);
    ASSERT_EQ(d.items.size(), 4u);
    EXPECT_EQ(*d.items[0].body, "{\"a\": 1,  \"b\": [1, 2.50, \"\\u00e9\"]}");
    EXPECT_EQ(d.items[0].fields.dump(), "{\"ttl\":300}");
    EXPECT_EQ(*d.items[1].body, "\"text\"");
    EXPECT_EQ(d.items[1].fields.dump(), "{\"delay\":5}");
    EXPECT_EQ(*d.items[2].body, "null");
    EXPECT_FALSE(d.items[2].fields);
    EXPECT_EQ(*d.items[3].body, "1E2");
    EXPECT_TRUE(sameAsJansson(text));
    // The jansson reader re-serialises (what the server did before issue #12).
    EXPECT_EQ(*readPostBodyWithJansson(text).items[0].body, "{\"a\":1,\"b\":[1,2.5,\"é\"]}");
}

TEST(PostBody, FieldsKeepTheirJsonTypes) {
    std::string text =
        "{\"messages\":[{\"body\":1,\"ttl\":true,\"delay\":1.5,\"idempotency_key\":\"k-1\","
        "\"group\":[\"g\"]},{\"body\":2,\"ttl\":\"60\",\"delay\":null,\"group\":{\"a\":[]},"
        "\"idempotency_key\":-7}]}";
    PostDocument d = readPostBody(text);
    ASSERT_EQ(d.items.size(), 2u);
    EXPECT_TRUE(json_is_true(d.items[0].fields.at("ttl")));
    EXPECT_TRUE(json_is_real(d.items[0].fields.at("delay")));
    EXPECT_STREQ(json_string_value(d.items[0].fields.at("idempotency_key")), "k-1");
    EXPECT_TRUE(json_is_array(d.items[0].fields.at("group")));
    EXPECT_TRUE(json_is_string(d.items[1].fields.at("ttl")));
    EXPECT_TRUE(json_is_null(d.items[1].fields.at("delay")));
    EXPECT_TRUE(json_is_object(d.items[1].fields.at("group")));
    EXPECT_EQ(json_integer_value(d.items[1].fields.at("idempotency_key")), -7);
    EXPECT_TRUE(sameAsJansson(text));
}

TEST(PostBody, RepeatedKeysLastOneWins) {
    std::string text =
        "{\"messages\":[{\"body\":1}],\"messages\":[{\"body\":{\"x\":1},\"body\":[2],"
        "\"ttl\":1,\"ttl\":61}]}";
    PostDocument d = readPostBody(text);
    ASSERT_EQ(d.items.size(), 1u);
    EXPECT_EQ(*d.items[0].body, "[2]");
    EXPECT_EQ(json_integer_value(d.items[0].fields.at("ttl")), 61);
    EXPECT_TRUE(sameAsJansson(text));
    // A later "messages" that is not an array replaces an earlier array.
    d = readPostBody("{\"messages\":[{\"body\":1}],\"messages\":{}}");
    EXPECT_TRUE(d.hasMessages);
    EXPECT_FALSE(d.messagesIsArray);
    EXPECT_TRUE(d.items.empty());
}

TEST(PostBody, ShapesWithoutMessages) {
    for (const char* text : {"[]", "[{\"body\":1}]", "{}", "{\"message\":[]}", " {\"a\":{}} "}) {
        PostDocument d = readPostBody(text);
        EXPECT_EQ(d.error, JsonParseError::None) << text;
        EXPECT_FALSE(d.hasMessages) << text;
        EXPECT_TRUE(sameAsJansson(text));
    }
    for (const char* text : {"{\"messages\":{}}", "{\"messages\":\"x\"}", "{\"messages\":null}"}) {
        PostDocument d = readPostBody(text);
        EXPECT_TRUE(d.hasMessages && !d.messagesIsArray) << text;
    }
    PostDocument d = readPostBody("{\"messages\":[1,\"a\",[],{\"ttl\":5}]}");
    ASSERT_EQ(d.items.size(), 4u);
    EXPECT_FALSE(d.items[0].isObject || d.items[1].isObject || d.items[2].isObject);
    EXPECT_TRUE(d.items[3].isObject);
    EXPECT_FALSE(d.items[3].body);
}

TEST(PostBody, BadJsonIsRefusedAsJanssonRefusesIt) {
    const std::string m = "{\"messages\":[{\"body\":";
    const std::string e = "}]}";
    struct Case {
        std::string text;
        JsonParseError error;
    };
    std::vector<Case> cases = {
        {"", JsonParseError::Empty},
        {"  \n", JsonParseError::Invalid},
        {"1", JsonParseError::NotContainer},
        {"\"messages\"", JsonParseError::NotContainer},
        {"null", JsonParseError::NotContainer},
        {"{", JsonParseError::Invalid},
        {"{\"messages\":[{\"body\":1}]", JsonParseError::Invalid},
        {"{\"messages\":[{\"body\":1}]}}", JsonParseError::Invalid},
        {"{\"messages\":[{\"body\":1}]} x", JsonParseError::Invalid},
        {"{\"messages\":[{\"body\":1}]} {}", JsonParseError::Invalid},
        {std::string("{\"messages\":[{\"body\":1}]}") + '\0', JsonParseError::Invalid},
        {"\xef\xbb\xbf{\"messages\":[{\"body\":1}]}", JsonParseError::Invalid},  // BOM
        {"{'messages':[]}", JsonParseError::Invalid},
        {"{\"messages\":[],}", JsonParseError::Invalid},
        {"{\"messages\" []}", JsonParseError::Invalid},
        {m + "nul" + e, JsonParseError::Invalid},
        {m + "nullx" + e, JsonParseError::Invalid},
        {m + "tru" + e, JsonParseError::Invalid},
        {m + "falsey" + e, JsonParseError::Invalid},
        {m + "NaN" + e, JsonParseError::Invalid},
        {m + "Infinity" + e, JsonParseError::Invalid},
        {m + "01" + e, JsonParseError::Invalid},
        {m + "1." + e, JsonParseError::Invalid},
        {m + ".5" + e, JsonParseError::Invalid},
        {m + "+1" + e, JsonParseError::Invalid},
        {m + "-" + e, JsonParseError::Invalid},
        {m + "1e" + e, JsonParseError::Invalid},
        {m + "1x" + e, JsonParseError::Invalid},
        {m + "[1,]" + e, JsonParseError::Invalid},
        {m + "{\"a\" 1}" + e, JsonParseError::Invalid},
        {m + "{\"a\":1,}" + e, JsonParseError::Invalid},
        {m + "/* c */ 1" + e, JsonParseError::Invalid},
        {m + "\"\\x\"" + e, JsonParseError::Invalid},
        {m + "\"\\u12\"" + e, JsonParseError::Invalid},
        {m + "\"\\ud800\"" + e, JsonParseError::Invalid},         // lone high surrogate
        {m + "\"\\udc00\"" + e, JsonParseError::Invalid},         // lone low surrogate
        {m + "\"\\ud800\\u0041\"" + e, JsonParseError::Invalid},  // high + non-low
        {m + "\"\\u0000\"" + e, JsonParseError::Invalid},         // jansson: no NUL
        {m + "{\"a\\u0000\":1}" + e, JsonParseError::Invalid},    // NUL in a key
        {m + "\"a\tb\"" + e, JsonParseError::Invalid},            // raw control character
        {m + "\"a\nb\"" + e, JsonParseError::Invalid},
        {m + std::string("\"a\0b\"", 5) + e, JsonParseError::Invalid},
        {m + "\"\xff\"" + e, JsonParseError::Invalid},              // invalid UTF-8
        {m + "\"\xc0\x80\"" + e, JsonParseError::Invalid},          // overlong NUL
        {m + "\"\xed\xa0\x80\"" + e, JsonParseError::Invalid},      // encoded surrogate
        {m + "\"\xf4\x90\x80\x80\"" + e, JsonParseError::Invalid},  // beyond U+10FFFF
        {m + "\"\xe2\x82\"" + e, JsonParseError::Invalid},          // truncated sequence
        {m + "1\xff" + e, JsonParseError::Invalid},
        {m + "9223372036854775808" + e, JsonParseError::IntegerTooLarge},
        {m + "-9223372036854775809" + e, JsonParseError::IntegerTooLarge},
        {m + "18446744073709551616" + e, JsonParseError::IntegerTooLarge},
        {m + "1e400" + e, JsonParseError::IntegerTooLarge},  // jansson: real overflow
        {m + "-1e400" + e, JsonParseError::IntegerTooLarge},
        {"{\"messages\":[{\"body\":1,\"ttl\":99999999999999999999}]}",
         JsonParseError::IntegerTooLarge},
        {"99999999999999999999", JsonParseError::IntegerTooLarge},
    };
    for (const auto& c : cases) {
        PostDocument d = readPostBody(c.text);
        EXPECT_EQ(d.error, c.error) << "[" << c.text << "]";
        EXPECT_TRUE(sameAsJansson(c.text));
    }
}

TEST(PostBody, NumbersAtTheEdgesOfTheirTypes) {
    const std::string m = "{\"messages\":[{\"body\":";
    const std::string e = "}]}";
    for (const char* number : {"9223372036854775807", "-9223372036854775808", "-0", "0", "1e-400",
                               "1.7976931348623157e308", "4.9e-324", "0.1e1", "1E+2", "-1.5e-3",
                               "123456789012345678901234567890.0"}) {
        std::string text = m + number + e;
        PostDocument d = readPostBody(text);
        ASSERT_EQ(d.error, JsonParseError::None) << number;
        EXPECT_EQ(*d.items[0].body, number);
        EXPECT_TRUE(sameAsJansson(text));
    }
}

TEST(PostBody, DepthLimitIsJanssons) {
    // jansson counts every value, the root being 1, and refuses beyond 2048. The body of
    // the first message is at depth 4.
    const std::string m = "{\"messages\":[{\"body\":";
    const std::string e = "}]}";
    for (int depth : {1000, 2043, 2044, 2045, 2046, 3000}) {
        for (const char* inner : {"", "1", "{}", "{\"a\":1}"}) {
            std::string text = m + nested(depth, inner) + e;
            EXPECT_TRUE(sameAsJansson(text)) << depth << " " << inner;
        }
    }
    EXPECT_EQ(readPostBody(m + nested(2045, "") + e).error, JsonParseError::None);
    EXPECT_EQ(readPostBody(m + nested(2046, "") + e).error, JsonParseError::Invalid);
    for (int depth : {2046, 2047, 2048, 2049}) {
        std::string text = nested(depth, "");
        EXPECT_TRUE(sameAsJansson(text)) << depth;
    }
}

TEST(PostBody, NestedValuesInBodiesAreValidated) {
    // On-Demand skips what it is not asked for; the reader asks for everything.
    const std::string m = "{\"other\":[{\"x\":[1,2,{\"y\":";
    for (const char* bad : {"tru", "01", "\"\\q\"", "1e999", "\"\\udc00\""}) {
        std::string text = m + bad + "}]}],\"messages\":[{\"body\":1}]}";
        EXPECT_NE(readPostBody(text).error, JsonParseError::None) << bad;
        EXPECT_TRUE(sameAsJansson(text));
        text = std::string("{\"messages\":[{\"body\":{\"deep\":[[") + bad + "]]}}]}";
        EXPECT_NE(readPostBody(text).error, JsonParseError::None) << bad;
        EXPECT_TRUE(sameAsJansson(text));
        text = std::string("{\"messages\":[{\"body\":1,\"extra\":{\"deep\":[[") + bad + "]]}}]}";
        EXPECT_NE(readPostBody(text).error, JsonParseError::None) << bad;
        EXPECT_TRUE(sameAsJansson(text));
    }
}

TEST(PostBody, UnicodeIsKeptAsSent) {
    std::string text =
        "{\"messages\":[{\"body\":\"h\xc3\xa9 \\u00e9 \\ud83d\\ude00 \xf0\x9f\x98\x80 "
        "\\\" \\\\ \\/ \\b\\f\\n\\r\\t\"},{\"b\\u006fdy\":{\"\xc3\xa9\":1}}]}";
    PostDocument d = readPostBody(text);
    ASSERT_EQ(d.error, JsonParseError::None);
    EXPECT_EQ(
        *d.items[0].body,
        "\"h\xc3\xa9 \\u00e9 \\ud83d\\ude00 \xf0\x9f\x98\x80 \\\" \\\\ \\/ \\b\\f\\n\\r\\t\"");
    ASSERT_TRUE(d.items[1].body);  // an escaped key is the key it spells
    EXPECT_EQ(*d.items[1].body, "{\"\xc3\xa9\":1}");
    EXPECT_TRUE(sameAsJansson(text));
}

// Random byte edits of valid posts: both readers agree on every one (bounded, seeded).
TEST(PostBody, AgreesWithJanssonOnMutatedInput) {
    const std::vector<std::string> seeds = {
        "{\"messages\":[{\"ttl\":300,\"body\":{\"event\":\"x\",\"n\":[1,2.5,-3e2,true,null]}},"
        "{\"body\":\"s\\u00e9\",\"delay\":0,\"idempotency_key\":\"k\",\"group\":\"g\"}]}",
        "{\"messages\": [ {\"body\": [ {\"a\" : {\"b\" : [ ] } } , \"\xc3\xa9\" ] } ] }",
        "[{\"body\":1}]",
    };
    const std::string alphabet = std::string("{}[],:\"\\ 0123456789-+.eEtrufalsn\xff\xc3\xa9\x01");
    std::mt19937 random(12);
    int checked = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string text = seeds[round % seeds.size()];
        int edits = 1 + static_cast<int>(random() % 3);
        for (int k = 0; k < edits; ++k) {
            size_t at = random() % text.size();
            switch (random() % 3) {
                case 0:
                    text[at] = alphabet[random() % alphabet.size()];
                    break;
                case 1:
                    text.erase(at, 1);
                    break;
                default:
                    text.insert(at, 1, alphabet[random() % alphabet.size()]);
            }
            if (text.empty()) text = "{";
        }
        ASSERT_TRUE(sameAsJansson(text));
        ++checked;
    }
    EXPECT_EQ(checked, 20000);
}

// Past the size a thread keeps its parser for, a document gets a parser of its own.
TEST(PostBody, LargeDocumentsGetTheirOwnParser) {
    std::string big = "\"" + std::string(1536 * 1024, 'x') + "\"";
    std::string text = "{\"messages\": [{\"body\": " + big + "}, {\"body\": [1, 2]}]}";
    PostDocument d = readPostBody(text);
    ASSERT_EQ(d.error, JsonParseError::None);
    ASSERT_EQ(d.items.size(), 2u);
    EXPECT_EQ(*d.items[0].body, big);
    EXPECT_EQ(*d.items[1].body, "[1, 2]");
    // And the thread's own parser still reads small ones afterwards.
    EXPECT_EQ(*readPostBody("{\"messages\":[{\"body\": {} }]}").items[0].body, "{}");
    EXPECT_EQ(readPostBody(text + "x").error, JsonParseError::Invalid);
}
