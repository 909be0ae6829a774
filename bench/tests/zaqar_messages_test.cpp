// The response scans against bodies shaped as rest-v2.md specifies.
#include "loadgen/scenarios/zaqar_messages.h"

#include <gtest/gtest.h>

namespace zqbench {
namespace {

TEST(ZaqarMessages, ScanClaim) {
    const std::string body =
        R"({"messages": [{"id": "a1", "href": "/v2/queues/q/messages/a1?claim_id=c-1", "ttl": 60, "age": 0,)"
        R"( "body": {"ts": 123, "pad": "xx"}}, {"id": "b2", "href": "/v2/queues/q/messages/b2?claim_id=c-1",)"
        R"( "ttl": 60, "age": 1, "body": {"ts":456, "pad": ""}}]})";
    const ClaimedMessages c = scanClaim(body);
    EXPECT_EQ(c.claimId, "c-1");
    ASSERT_EQ(c.ids.size(), 2u);
    EXPECT_EQ(c.ids[0], "a1");
    EXPECT_EQ(c.ids[1], "b2");
    ASSERT_EQ(c.sentNs.size(), 2u);
    EXPECT_EQ(c.sentNs[0], 123u);
    EXPECT_EQ(c.sentNs[1], 456u);
    EXPECT_EQ(countMessages(body), 2u);
}

TEST(ZaqarMessages, NextLink) {
    EXPECT_EQ(nextLink(R"({"messages": [{"age": 0}], "links": [{"rel": "next", "href": )"
                       R"("\/v2/queues/q/messages?echo=true&marker=m1"}]})"),
              "/v2/queues/q/messages?echo=true&marker=m1");
    EXPECT_EQ(nextLink(R"({"messages": [], "links": []})"), "");
}

TEST(ZaqarMessages, PostBodySize) {
    const std::string one = postBody(1, 200, 42);
    EXPECT_NE(one.find(R"("ts": 42)"), std::string::npos);
    const std::string ten = postBody(10, 200, 42);
    EXPECT_GT(ten.size(), 10 * 200u);
    EXPECT_LT(ten.size(), 10 * 240u);
}

TEST(ZaqarMessages, IntField) {
    EXPECT_EQ(intField(R"({"messages": {"claimed": 3, "free": 7, "total": 10}})", "total"), 10);
    EXPECT_EQ(intField("{}", "total"), -1);
}

}  // namespace
}  // namespace zqbench
