// frame_text.h: members read out of a frame's JSON text as jansson would see them (the
// last of a repeated key), and "cannot tell" rather than a guess for escaped keys.
#include <gtest/gtest.h>

#include "src/api/render_websocket.h"
#include "transports/websocket/frame_text.h"
#include "transports/websocket/ws_protocol.h"

namespace zaqard::websocket {
namespace {

TEST(WsFrameText, FindsTopLevelMembersAsWritten) {
    const std::string_view frame =
        R"( { "action" : "message_post", "headers":{"Client-ID":"c"},
              "body": {"messages": [{"body": {"a": "}]\"{["}, "ttl": 60}]} } )";
    EXPECT_EQ(*memberText(frame, "action").value, R"("message_post")");
    EXPECT_EQ(*memberText(frame, "headers").value, R"({"Client-ID":"c"})");
    MemberLookup body = memberText(frame, "body");
    ASSERT_TRUE(body.ok && body.value);
    EXPECT_EQ(*memberText(*body.value, "messages").value,
              R"([{"body": {"a": "}]\"{["}, "ttl": 60}])");
    // Nested members are not top-level ones.
    MemberLookup ttl = memberText(frame, "ttl");
    EXPECT_TRUE(ttl.ok);
    EXPECT_FALSE(ttl.value);
}

TEST(WsFrameText, RepeatedKeyGivesTheLastAsJanssonDoes) {
    MemberLookup m = memberText(R"({"body": 1, "x": null, "body": {"k": true}})", "body");
    ASSERT_TRUE(m.ok && m.value);
    EXPECT_EQ(*m.value, R"({"k": true})");
}

TEST(WsFrameText, EscapedKeysOrNonObjectsCannotBeRead) {
    EXPECT_FALSE(memberText(R"({"bo\u0064y": 1})", "body").ok);
    EXPECT_FALSE(memberText(R"([1, 2])", "body").ok);
    EXPECT_FALSE(memberText(R"("text")", "body").ok);
    MemberLookup empty = memberText(" {} ", "body");
    EXPECT_TRUE(empty.ok);
    EXPECT_FALSE(empty.value);
}

TEST(WsFrameText, EchoTextParsesToTheTreeEcho) {
    const std::string frame =
        R"({"headers": {"Client-ID": "c", "X-Project-ID": "p"}, "action": "queue_get",
            "body": {"queue_name": "q\u00e9", "n": 1.50, "b": [true, false, null]}})";
    std::optional<std::string> text = requestEchoText(frame);
    ASSERT_TRUE(text);
    Json fromText = parseJsonValue(*text);
    Json fromTree = requestEcho(parseJsonValue(frame));
    ASSERT_TRUE(fromText);
    EXPECT_TRUE(json_equal(fromText.get(), fromTree.get())) << *text;
    // Absent members: as the tree echo (action null, body and headers {}).
    Json bare = parseJsonValue(*requestEchoText(R"({"x": 1})"));
    EXPECT_TRUE(json_equal(bare.get(), requestEcho(parseJsonValue(R"({"x": 1})")).get()));
}

TEST(WsFrameText, SplicedApiBodyMatchesTheDumpedOne) {
    const std::string frame =
        R"({"action": "message_post", "headers": {"Client-ID": "3f0b8e1c-9d1e-4c7b-9a43-3c0d6f8a1b2e",
            "X-Project-ID": "p"}, "body": {"queue_name": "q",
            "messages": [{"body": {"k": "v"}, "ttl": 60}, {"body": 2}]}})";
    Json tree = parseJsonValue(frame);
    Translation spliced = translateFrame(tree, frame);
    Translation dumped = translateFrame(tree);
    ASSERT_TRUE(spliced.request && dumped.request);
    EXPECT_TRUE(json_equal(parseJsonValue(spliced.request->body).get(),
                           parseJsonValue(dumped.request->body).get()))
        << spliced.request->body << " vs " << dumped.request->body;
    EXPECT_EQ(spliced.request->body,
              R"({"messages":[{"body": {"k": "v"}, "ttl": 60}, {"body": 2}]})");
    // queue_create: the metadata member is the whole api body; none gives {}.
    const std::string create =
        R"({"action": "queue_create", "headers": {"Client-ID": "3f0b8e1c-9d1e-4c7b-9a43-3c0d6f8a1b2e",
            "X-Project-ID": "p"}, "body": {"queue_name": "q", "metadata": {"m": [1]}}})";
    EXPECT_EQ(translateFrame(parseJsonValue(create), create).request->body, R"({"m": [1]})");
    const std::string bare =
        R"({"action": "queue_create", "headers": {"Client-ID": "3f0b8e1c-9d1e-4c7b-9a43-3c0d6f8a1b2e",
            "X-Project-ID": "p"}, "body": {"queue_name": "q"}})";
    EXPECT_EQ(translateFrame(parseJsonValue(bare), bare).request->body, "{}");
}

TEST(WsFrameText, ClaimCreatedTextIsTheDumpOfTheTree) {
    std::vector<storage::Message> messages(2);
    messages[0].id = "m1";
    messages[0].body = R"({"k":[1,"x"]})";
    messages[0].ttl = 60;
    messages[0].age = 3;
    messages[1].id = "m2";
    messages[1].ttl = 30;
    messages[1].group = "g-1";
    Json items = Json::array();
    for (const auto& m : messages) items.append(api::ws::message(m, "c\"1"));
    Json tree = Json::object();
    tree.set("claim_id", Json::string("c\"1"));
    tree.set("messages", std::move(items));
    EXPECT_EQ(api::ws::claimCreatedText(messages, "c\"1"), tree.dump());
}

}  // namespace
}  // namespace zaqard::websocket
