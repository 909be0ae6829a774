// Unit tests of signed-URL verification (auth-and-config.md §3.2-3.3, websocket-v2.md
// §4.1): the spec's two test vectors, path anchoring, expiry and header forms.
#include <gtest/gtest.h>

#include "src/api/signed_url.h"
#include "src/api/signed_url_verifier.h"

namespace zaqard::api {
namespace {

const std::string kKey = "test-secret-key";
constexpr double kNow = 1795000000.0;  // 2026-11-18, before both vectors expire

Headers vector2(const std::string& methods = "GET,POST") {
    Headers h;
    h["URL-Signature"] = "6afc16ae75f4bab8c6cde95524d73adfce84aeb08fe04e249edc32709bf02841";
    h["URL-Expires"] = "2099-01-01T00:00:00";
    h["URL-Methods"] = methods;
    h["URL-Paths"] = "/v2/queues/shq/messages,/v2/queues/shq/claims";
    h["X-Project-ID"] = "proj-a";
    return h;
}

TEST(SignedUrl, SpecVectors) {
    EXPECT_EQ(signUrl(kKey, {"/v2/queues/shq/messages"}, {"GET"}, "proj-a", "2026-11-24T08:15:23"),
              "7f659339f07e8df5f593b72ce41e53a3bb3237e475a5e4c2b7feec844d671a88");
    Headers h;
    h["URL-Signature"] = "7f659339f07e8df5f593b72ce41e53a3bb3237e475a5e4c2b7feec844d671a88";
    h["URL-Expires"] = "2026-11-24T08:15:23";
    h["URL-Methods"] = "GET";
    h["URL-Paths"] = "/v2/queues/shq/messages";
    h["X-Project-ID"] = "proj-a";
    EXPECT_TRUE(verifySignedRequest(kKey, "GET", "/v2/queues/shq/messages", h, kNow));
    // Headers in any order: the verifier sorts, as Zaqar does.
    EXPECT_TRUE(verifySignedRequest(kKey, "POST", "/v2/queues/shq/claims", vector2(), kNow));
    EXPECT_TRUE(
        verifySignedRequest(kKey, "GET", "/v2/queues/shq/messages", vector2("POST,GET"), kNow));
}

TEST(SignedUrl, Refusals) {
    const std::string path = "/v2/queues/shq/messages";
    EXPECT_FALSE(verifySignedRequest(kKey, "DELETE", path, vector2(), kNow));
    EXPECT_FALSE(verifySignedRequest(kKey, "get", path, vector2(), kNow));
    EXPECT_FALSE(verifySignedRequest("other-key", "GET", path, vector2(), kNow));
    EXPECT_FALSE(verifySignedRequest("", "GET", path, vector2(), kNow));
    EXPECT_FALSE(verifySignedRequest(kKey, "GET", "/v2/queues/shq2/messages", vector2(), kNow));
    EXPECT_FALSE(verifySignedRequest(kKey, "GET", "/v2/queues/shq", vector2(), kNow));
    // Expired: the second vector is valid until 2099.
    EXPECT_FALSE(verifySignedRequest(kKey, "GET", path, vector2(), 4102444800.0));
    Headers h = vector2();
    h["X-Project-ID"] = "proj-b";
    EXPECT_FALSE(verifySignedRequest(kKey, "GET", path, h, kNow));
    h = vector2();
    h["URL-Signature"] = "";
    EXPECT_FALSE(verifySignedRequest(kKey, "GET", path, h, kNow));
    h = vector2();
    h["URL-Signature"][0] = '7';
    EXPECT_FALSE(verifySignedRequest(kKey, "GET", path, h, kNow));
    h = vector2();
    h["URL-Expires"] = "4102444800";  // an integer is refused before parsing
    EXPECT_FALSE(verifySignedRequest(kKey, "GET", path, h, kNow));
    h = vector2();
    h.erase("URL-Expires");
    EXPECT_FALSE(verifySignedRequest(kKey, "GET", path, h, kNow));
    h = vector2("GET, POST");  // Zaqar does not trim: " POST" is another method
    EXPECT_FALSE(verifySignedRequest(kKey, "GET", path, h, kNow));
    h = vector2();
    h["URL-Expires"] = "2099-01-01T01:00:00+01:00";  // the same instant, normalised
    EXPECT_TRUE(verifySignedRequest(kKey, "GET", path, h, kNow));
}

TEST(SignedUrl, PathsAnchoredAtSegments) {
    EXPECT_TRUE(signedPathCovers("/v2/queues/q/messages", "/v2/queues/q/messages"));
    EXPECT_TRUE(signedPathCovers("/v2/queues/q/messages", "/v2/queues/q/messages/abc"));
    EXPECT_FALSE(signedPathCovers("/v2/queues/q/messages", "/v2/queues/q/messagesX"));
    EXPECT_FALSE(signedPathCovers("/v2/queues/q", "/v2/queues/q2"));
    EXPECT_FALSE(signedPathCovers("/v2/queues/q/messages", "/x/v2/queues/q/messages"));
    EXPECT_FALSE(signedPathCovers("", "/v2/queues/q/messages"));
    EXPECT_TRUE(signedPathCovers("/v2/queues/q/", "/v2/queues/q/messages"));
}

TEST(SignedUrl, WebSocketFrames) {
    Headers h = vector2();
    h["URL-Methods"] = R"(["GET", "POST"])";
    h["URL-Paths"] = R"(["/v2/queues/shq/claims", "/v2/queues/shq/messages"])";
    EXPECT_TRUE(verifySignedFrame(kKey, Action::MessageList, "shq", h, kNow));
    EXPECT_TRUE(verifySignedFrame(kKey, Action::MessagePost, "shq", h, kNow));
    EXPECT_FALSE(verifySignedFrame(kKey, Action::MessageDelete, "shq", h, kNow));
    EXPECT_FALSE(verifySignedFrame(kKey, Action::QueueList, "shq", h, kNow));
    EXPECT_FALSE(verifySignedFrame(kKey, Action::MessageList, "other", h, kNow));
    Headers commas = vector2();  // the REST form is not the WebSocket form
    EXPECT_FALSE(verifySignedFrame(kKey, Action::MessageList, "shq", commas, kNow));
}

TEST(SignedUrl, MethodOfAction) {
    EXPECT_STREQ(methodOfAction(Action::MessagePost), "POST");
    EXPECT_STREQ(methodOfAction(Action::SubscriptionConfirm), "PUT");
    EXPECT_STREQ(methodOfAction(Action::ClaimUpdate), "PATCH");
    EXPECT_STREQ(methodOfAction(Action::PingHead), "HEAD");
    EXPECT_STREQ(methodOfAction(Action::MethodNotAllowed), "");
}

}  // namespace
}  // namespace zaqard::api
