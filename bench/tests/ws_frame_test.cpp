// The REST → websocket frame mapping and the reply → Response scan, on the frames
// docs/api.md "WebSocket" and zaqard's replies show.
#include "loadgen/ws_frame.h"

#include <gtest/gtest.h>

#include "loadgen/scenarios/zaqar_messages.h"
#include "loadgen/ws_connection.h"

namespace zqbench {
namespace {

constexpr char kClient[] = "3f0b8e1c-9d1e-4c7b-9a43-3c0d6f8a1b2e";
constexpr char kHeaders[] =
    R"({"Client-ID":"3f0b8e1c-9d1e-4c7b-9a43-3c0d6f8a1b2e","X-Project-ID":"p1"})";

Request request(std::string_view method, std::string path, std::string body = {}) {
    Request r;
    r.method = method;
    r.path = std::move(path);
    r.body = std::move(body);
    return r;
}

std::string frame(const Request& r) {
    std::string out = "prefix:";
    std::string error;
    EXPECT_TRUE(renderWsFrame(r, kClient, "p1", &out, &error)) << error;
    return out.substr(7);
}

std::string expected(std::string_view action, std::string_view body) {
    return std::string(R"({"action":")") + std::string(action) + R"(","headers":)" + kHeaders +
           R"(,"body":)" + std::string(body) + "}";
}

TEST(WsFrame, MessagePostMergesTheRestBody) {
    EXPECT_EQ(
        frame(request("POST", "/v2/queues/bench-q0/messages",
                      R"({"messages": [{"body": {"ts": 1}, "ttl": 300}]})")),
        expected("message_post",
                 R"({"queue_name":"bench-q0","messages": [{"body": {"ts": 1}, "ttl": 300}]})"));
}

TEST(WsFrame, ClaimCreateTypesTheLimit) {
    EXPECT_EQ(frame(request("POST", "/v2/queues/q/claims?limit=10", R"({"ttl": 60, "grace": 60})")),
              expected("claim_create", R"({"queue_name":"q","limit":10,"ttl": 60, "grace": 60})"));
    EXPECT_EQ(frame(request("POST", "/v2/queues/q/claims", "")),
              expected("claim_create", R"({"queue_name":"q"})"));
}

TEST(WsFrame, BulkDeleteCarriesIdsAndClaimIdsAsArrays) {
    EXPECT_EQ(frame(request("DELETE", "/v2/queues/q/messages?ids=a1,b2&claim_ids=c-1")),
              expected("message_delete_many",
                       R"({"queue_name":"q","message_ids":["a1","b2"],"claim_ids":["c-1"]})"));
    EXPECT_EQ(frame(request("DELETE", "/v2/queues/q/messages?pop=3")),
              expected("message_delete_many", R"({"queue_name":"q","pop":3})"));
}

TEST(WsFrame, SingleDeleteWithClaim) {
    EXPECT_EQ(
        frame(request("DELETE", "/v2/queues/q/messages/m1?claim_id=c-1")),
        expected("message_delete", R"({"queue_name":"q","message_id":"m1","claim_id":"c-1"})"));
}

TEST(WsFrame, ListQueueAndPing) {
    EXPECT_EQ(
        frame(request("GET", "/v2/queues/q/messages?echo=true&limit=10&marker=m%2D1")),
        expected("message_list", R"({"queue_name":"q","echo":true,"limit":10,"marker":"m-1"})"));
    EXPECT_EQ(frame(request("PUT", "/v2/queues/q", R"({"_ttl": 60})")),
              expected("queue_create", R"({"queue_name":"q","metadata":{"_ttl": 60}})"));
    EXPECT_EQ(frame(request("GET", "/v2/queues/q")),
              expected("queue_get", R"({"queue_name":"q"})"));
    EXPECT_EQ(frame(request("GET", "/v2/queues/q/stats")),
              expected("queue_get_stats", R"({"queue_name":"q"})"));
    EXPECT_EQ(frame(request("GET", "/v2/ping")), expected("ping_node", "{}"));
}

TEST(WsFrame, UnmappableRequestsAreRefused) {
    for (const Request& r :
         {request("PATCH", "/v2/queues/q", R"([{"op": "add"}])"), request("GET", "/v2/health/x"),
          request("GET", "/v2/queues/q/messages?limit=ten"),
          request("GET", "/v2/queues/q/messages?bogus=1"), request("POST", "/v1/queues/q/messages"),
          request("POST", "/v2/queues/q/messages", "[1]")}) {
        std::string out = "unchanged";
        std::string error;
        EXPECT_FALSE(renderWsFrame(r, kClient, "p1", &out, &error)) << r.path;
        EXPECT_EQ(out, "unchanged");
        EXPECT_NE(error.find("no websocket action for " + std::string(r.method) + " " + r.path),
                  std::string::npos)
            << error;
    }
}

TEST(WsFrame, ReplyGivesStatusAndBody) {
    Response response;
    // The echo comes first and holds braces, quotes and a "body" of its own.
    const std::string reply =
        R"({"request":{"action":"message_post","body":{"queue_name":"q","messages":[{"body":)"
        R"({"pad":"}\"x{"},"ttl":300}]},"headers":{},"api":"v2"},"body":{"message_ids":["m1"]},)"
        R"("headers":{"status":201}})";
    ASSERT_EQ(parseWsReply(reply, &response), WsReply::Reply);
    EXPECT_EQ(response.status, 201);
    EXPECT_EQ(response.body, R"({"message_ids":["m1"]})");

    ASSERT_EQ(
        parseWsReply(R"({"request": {}, "body": "Queue q created.", "headers": {"status": 204}})",
                     &response),
        WsReply::Reply);
    EXPECT_EQ(response.status, 204);
    EXPECT_EQ(response.body, R"("Queue q created.")");
}

TEST(WsFrame, NotificationsAndGarbage) {
    Response response;
    EXPECT_EQ(
        parseWsReply(R"({"ttl":300,"body":{"a":1},"Message_Type":"Notification"})", &response),
        WsReply::NotReply);
    EXPECT_EQ(parseWsReply(R"({"body":{"a":1},"headers":{"status":20)", &response),
              WsReply::Malformed);
    EXPECT_EQ(parseWsReply("[1,2]", &response), WsReply::Malformed);
}

TEST(WsFrame, ClaimReplyScansWithoutHrefs) {
    Response response;
    ASSERT_EQ(
        parseWsReply(
            R"({"request":{"action":"claim_create","body":{"queue_name":"q","limit":10},"headers":{},)"
            R"("api":"v2"},"body":{"claim_id":"c-1","messages":[{"id":"a1","claim_id":"c-1","ttl":300,)"
            R"("age":0,"body":{"ts":123,"pad":"x"}},{"id":"b2","claim_id":"c-1","ttl":300,"age":1,)"
            R"("body":{"ts":456,"pad":""}}]},"headers":{"status":201}})",
            &response),
        WsReply::Reply);
    const ClaimedMessages c = scanClaim(response.body);
    EXPECT_EQ(c.claimId, "c-1");
    ASSERT_EQ(c.ids.size(), 2u);
    EXPECT_EQ(c.ids[0], "a1");
    EXPECT_EQ(c.ids[1], "b2");
    ASSERT_EQ(c.sentNs.size(), 2u);
    EXPECT_EQ(c.sentNs[1], 456u);
}

TEST(WsUrl, Parse) {
    WsEndpoint e;
    std::string error;
    ASSERT_TRUE(parseWsUrl("ws://127.0.0.1:9000", &e, &error));
    EXPECT_EQ(e.host, "127.0.0.1");
    EXPECT_EQ(e.port, 9000);
    EXPECT_EQ(e.path, "/");
    // wss:// is TLS (the loadgen speaks it since the TLS bench rows).
    ASSERT_TRUE(parseWsUrl("wss://127.0.0.1:9443", &e, &error));
    EXPECT_EQ(e.port, 9443);
    EXPECT_TRUE(e.tls);
    EXPECT_FALSE(parseWsUrl("http://127.0.0.1:9000", &e, &error));
    EXPECT_FALSE(parseWsUrl("ws://127.0.0.1:x", &e, &error));
}

}  // namespace
}  // namespace zqbench
