// The REST transport's pure parts: routing (rest-v2.md §1.1, §3), path/query decoding and
// falcon's Accept / Content-Type rules.
#include <gtest/gtest.h>

#include "transports/http/content_negotiation.h"
#include "transports/http/router.h"
#include "transports/http/uri_codec.h"

namespace zaqard::http {
namespace {

using api::Action;
using Kind = RouteMatch::Kind;

RouterOptions publicOptions() {
    return RouterOptions{};
}
RouterOptions adminOptions() {
    return RouterOptions{true, true};
}

void expectAction(const char* method, const char* path, Action action) {
    RouteMatch match = route(method, path, publicOptions());
    EXPECT_EQ(match.kind, Kind::Found) << method << " " << path;
    EXPECT_EQ(match.action, action) << method << " " << path;
}

void expectNotFound(const char* method, const char* path, RouterOptions options = RouterOptions{}) {
    EXPECT_EQ(route(method, path, options).kind, Kind::NotFound) << method << " " << path;
}

TEST(Router, EveryV2Route) {
    expectAction("GET", "/", Action::Versions);
    expectAction("GET", "/v2/openapi.json", Action::OpenApi);
    expectAction("GET", "/v2/", Action::GetHomeDoc);
    expectAction("GET", "/v2/ping", Action::Ping);
    expectAction("HEAD", "/v2/ping", Action::PingHead);
    expectAction("GET", "/v2/queues", Action::QueueList);
    expectAction("PUT", "/v2/queues/q", Action::QueueCreate);
    expectAction("GET", "/v2/queues/q", Action::QueueGet);
    expectAction("PATCH", "/v2/queues/q", Action::QueueUpdate);
    expectAction("DELETE", "/v2/queues/q", Action::QueueDelete);
    expectAction("GET", "/v2/queues/q/stats", Action::QueueStats);
    expectAction("POST", "/v2/queues/q/share", Action::QueueShare);
    expectAction("POST", "/v2/queues/q/purge", Action::QueuePurge);
    expectAction("POST", "/v2/queues/q/messages", Action::MessagePost);
    expectAction("GET", "/v2/queues/q/messages", Action::MessageList);
    expectAction("DELETE", "/v2/queues/q/messages", Action::MessageDeleteMany);
    expectAction("GET", "/v2/queues/q/messages/m", Action::MessageGet);
    expectAction("DELETE", "/v2/queues/q/messages/m", Action::MessageDelete);
    expectAction("POST", "/v2/queues/q/claims", Action::ClaimCreate);
    expectAction("GET", "/v2/queues/q/claims/c", Action::ClaimGet);
    expectAction("PATCH", "/v2/queues/q/claims/c", Action::ClaimUpdate);
    expectAction("DELETE", "/v2/queues/q/claims/c", Action::ClaimDelete);
    expectAction("POST", "/v2/queues/q/subscriptions", Action::SubscriptionCreate);
    expectAction("GET", "/v2/queues/q/subscriptions", Action::SubscriptionList);
    expectAction("GET", "/v2/queues/q/subscriptions/s", Action::SubscriptionGet);
    expectAction("PATCH", "/v2/queues/q/subscriptions/s", Action::SubscriptionUpdate);
    expectAction("DELETE", "/v2/queues/q/subscriptions/s", Action::SubscriptionDelete);
    expectAction("PUT", "/v2/queues/q/subscriptions/s/confirm", Action::SubscriptionConfirm);
}

TEST(Router, PathParameters) {
    RouteMatch match = route("DELETE", "/v2/queues/my-q/claims/abc", publicOptions());
    EXPECT_EQ(match.queueName, "my-q");
    EXPECT_EQ(match.claimId, "abc");
    match = route("GET", "/v2/queues/q1/messages/m1", publicOptions());
    EXPECT_EQ(match.queueName, "q1");
    EXPECT_EQ(match.messageId, "m1");
    match = route("PUT", "/v2/queues/q2/subscriptions/s1/confirm", publicOptions());
    EXPECT_EQ(match.queueName, "q2");
    EXPECT_EQ(match.subscriptionId, "s1");
    match = route("GET", "/v2/queues/caf\xc3\xa9 x", publicOptions());
    EXPECT_EQ(match.queueName, "caf\xc3\xa9 x");  // already decoded by the caller
}

TEST(Router, TrailingSlashMeansAnEmptyName) {
    RouteMatch match = route("GET", "/v2/queues/", publicOptions());
    EXPECT_EQ(match.kind, Kind::Found);
    EXPECT_EQ(match.action, Action::QueueGet);
    EXPECT_EQ(match.queueName, "");
    match = route("GET", "/v2/queues//messages", publicOptions());
    EXPECT_EQ(match.action, Action::MessageList);
    EXPECT_EQ(match.queueName, "");
    match = route("GET", "/v2/queues/q/messages/", publicOptions());
    EXPECT_EQ(match.action, Action::MessageGet);
    EXPECT_EQ(match.messageId, "");
}

TEST(Router, UnknownPathsAreNotFound) {
    for (const char* path :
         {"/v2", "/v2//", "/v1/queues", "/v1.1/queues", "/v3/", "/v2/queues/q/", "/v2/ping/",
          "/v2/queues/q/messages/m/", "/v2/queues/a/b/c/d", "/v2/queues/q/metadata", "/x",
          "/v2/topics/t/claims", "/v2/topics/t/share", "/v2/topic/t"}) {
        expectNotFound("GET", path);
    }
}

TEST(Router, TopicRoutes) {
    expectAction("GET", "/v2/topics", Action::TopicList);
    expectAction("PUT", "/v2/topics/t", Action::TopicCreate);
    expectAction("POST", "/v2/topics/t/messages", Action::TopicMessagePost);
}

TEST(Router, LeadingSlashesAreIgnoredAsFalconDoes) {
    expectAction("GET", "//v2/queues", Action::QueueList);
}

TEST(Router, AdminRoutes) {
    expectNotFound("GET", "/v2/health");
    RouteMatch match = route("GET", "/v2/health", RouterOptions{true, false});
    EXPECT_EQ(match.kind, Kind::Found);
    EXPECT_EQ(match.action, Action::Health);
    // Pools and flavors need admin_mode and pooling.
    expectNotFound("GET", "/v2/pools", RouterOptions{true, false});
    expectNotFound("GET", "/v2/flavors/f", RouterOptions{false, true});
    match = route("GET", "/v2/pools", adminOptions());
    EXPECT_EQ(match.action, Action::PoolList);
    match = route("PATCH", "/v2/pools/p1", adminOptions());
    EXPECT_EQ(match.action, Action::PoolUpdate);
    EXPECT_EQ(match.poolName, "p1");
    match = route("DELETE", "/v2/flavors/f", adminOptions());
    EXPECT_EQ(match.action, Action::FlavorDelete);
    EXPECT_EQ(match.flavorName, "f");
}

TEST(Router, MethodNotAllowedGoesToTheApiWithTheAllowList) {
    RouteMatch match = route("POST", "/v2/queues/q", publicOptions());
    EXPECT_EQ(match.kind, Kind::Found);
    EXPECT_EQ(match.action, Action::MethodNotAllowed);
    EXPECT_EQ(match.allowedMethods, "DELETE, GET, PATCH, PUT");
    EXPECT_EQ(match.queueName, "q");  // the api validates the name before answering 405

    match = route("GET", "/v2/queues/q/claims", publicOptions());
    EXPECT_EQ(match.action, Action::MethodNotAllowed);
    EXPECT_EQ(match.allowedMethods, "POST");

    match = route("HEAD", "/v2/queues", publicOptions());
    EXPECT_EQ(match.action, Action::MethodNotAllowed);
    EXPECT_EQ(match.allowedMethods, "GET");

    match = route("DELETE", "/", publicOptions());
    EXPECT_EQ(match.action, Action::MethodNotAllowed);
    EXPECT_EQ(match.allowedMethods, "GET");

    match = route("TRACE", "/v2/ping", publicOptions());
    EXPECT_EQ(match.action, Action::MethodNotAllowed);
    EXPECT_EQ(match.allowedMethods, "GET, HEAD");

    match = route("PUT", "/v2/queues/q/messages", publicOptions());
    EXPECT_EQ(match.allowedMethods, "DELETE, GET, POST");
}

TEST(Router, OptionsIsAnsweredByTheTransport) {
    RouteMatch match = route("OPTIONS", "/v2/queues/q/claims/c", publicOptions());
    EXPECT_EQ(match.kind, Kind::Options);
    EXPECT_EQ(match.allowedMethods, "DELETE, GET, PATCH");
    expectNotFound("OPTIONS", "/v2/nothing");
}

TEST(UriCodec, PercentDecoding) {
    EXPECT_EQ(percentDecode("/v2/queues/a%20b", false), "/v2/queues/a b");
    EXPECT_EQ(percentDecode("a+b", false), "a+b");
    EXPECT_EQ(percentDecode("a+b", true), "a b");
    EXPECT_EQ(percentDecode("%e2%98%83", false), "\xe2\x98\x83");
    EXPECT_EQ(percentDecode("100%", false), "100%");
    EXPECT_EQ(percentDecode("%zz%4", false), "%zz%4");
    EXPECT_EQ(percentDecode("%2F", false), "/");
}

TEST(UriCodec, QueryStringInOrderWithoutBlanks) {
    auto pairs = parseQueryString("limit=5&echo=true&marker=&flag&ids=a,b&limit=6&q=a+b%21");
    ASSERT_EQ(pairs.size(), 5u);
    EXPECT_EQ(pairs[0], (std::pair<std::string, std::string>{"limit", "5"}));
    EXPECT_EQ(pairs[1], (std::pair<std::string, std::string>{"echo", "true"}));
    EXPECT_EQ(pairs[2], (std::pair<std::string, std::string>{"ids", "a,b"}));
    EXPECT_EQ(pairs[3], (std::pair<std::string, std::string>{"limit", "6"}));
    EXPECT_EQ(pairs[4], (std::pair<std::string, std::string>{"q", "a b!"}));
    EXPECT_TRUE(parseQueryString("").empty());
    EXPECT_TRUE(parseQueryString("&&").empty());
}

TEST(ContentNegotiation, AcceptAsFalcon) {
    for (const char* accept :
         {"", "*/*", "application/json", "application/*", "*", "image/png, */*;q=0.1",
          "application/xml, application/json", "text/html;q=0.9, application/json;q=0.1",
          "application/json; charset=utf-8"}) {
        EXPECT_TRUE(clientAccepts(accept, "application/json")) << accept;
    }
    for (const char* accept : {"application/xml", "text/html", "text/*", "application/json;q=0",
                               "application/JSON", "application/json,", "text", "a/b/c"}) {
        EXPECT_FALSE(clientAccepts(accept, "application/json")) << accept;
    }
}

TEST(ContentNegotiation, ErrorFormatAsFalcon) {
    EXPECT_EQ(errorFormat(""), ErrorFormat::Json);
    EXPECT_EQ(errorFormat("*/*"), ErrorFormat::Json);
    EXPECT_EQ(errorFormat("application/json"), ErrorFormat::Json);
    EXPECT_EQ(errorFormat("application/xml"), ErrorFormat::Xml);
    EXPECT_EQ(errorFormat("text/xml"), ErrorFormat::TextXml);
    EXPECT_EQ(errorFormat("text/*, application/xml;q=0.5"), ErrorFormat::TextXml);
    EXPECT_EQ(errorFormat("text/html"), ErrorFormat::None);
    EXPECT_EQ(errorFormat("application/vnd.x+json"), ErrorFormat::Json);
    EXPECT_EQ(errorFormat("application/vnd.x+xml"), ErrorFormat::Xml);
}

TEST(ContentNegotiation, UrlEncodedIsTheWholeHeader) {
    EXPECT_TRUE(isFormUrlEncoded("application/x-www-form-urlencoded"));
    EXPECT_TRUE(isFormUrlEncoded("Application/X-WWW-Form-URLEncoded"));
    EXPECT_FALSE(isFormUrlEncoded("application/x-www-form-urlencoded; charset=utf-8"));
    EXPECT_FALSE(isFormUrlEncoded("application/json"));
    EXPECT_FALSE(isFormUrlEncoded(""));
}

TEST(ContentNegotiation, ErrorBodies) {
    EXPECT_EQ(renderError(ErrorFormat::Json, "404 Not Found", ""), "{\"title\":\"404 Not Found\"}");
    EXPECT_EQ(renderError(ErrorFormat::Json, "T", "D"), "{\"title\":\"T\",\"description\":\"D\"}");
    EXPECT_EQ(renderError(ErrorFormat::Xml, "a<b", "c&d"),
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?><error><title>a&lt;b</title>"
              "<description>c&amp;d</description></error>");
    EXPECT_EQ(renderError(ErrorFormat::None, "T", "D"), "");
    EXPECT_STREQ(errorContentType(ErrorFormat::TextXml), "text/xml");
}

}  // namespace
}  // namespace zaqard::http
