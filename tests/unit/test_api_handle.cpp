// Api::handle end to end on a real RedisDriver against a real redis-server: header
// checks, lazy queues, pagination links, claims and the exact error bodies. Links carry
// the parameters in the order the server reads them (Zaqar's), not the request's order.
#include <gtest/gtest.h>

#include "src/api/api.h"
#include "test_redis_support.h"

namespace zaqard::api {
namespace {

constexpr const char* kClient = "3381af92-2b9e-11e3-b191-71861300734c";

class ApiHandleTest : public testing::RedisDriverTest {
  protected:
    void SetUp() override {
        RedisDriverTest::SetUp();
        api_ = std::make_unique<Api>(config_, store());
    }
    void TearDown() override {
        api_.reset();
        RedisDriverTest::TearDown();
    }

    Request request(Action action, const std::string& path, const std::string& queue = "") {
        Request r;
        r.action = action;
        r.path = path;
        r.queueName = queue;
        r.headers = {{"Client-ID", kClient}, {"X-Project-ID", "proj"}};
        return r;
    }

    Response run(Request r) {
        std::optional<Response> out;
        api_->handle(std::move(r), [&out](Response response) { out.emplace(std::move(response)); });
        EXPECT_TRUE(testing::runUntil(dispatcher_, [&out] { return out.has_value(); }));
        return out ? std::move(*out) : Response{};
    }

    static std::string header(const Response& r, const std::string& name) {
        for (const auto& [key, value] : r.headers)
            if (key == name) return value;
        return "";
    }

    std::unique_ptr<Api> api_;
};

TEST_F(ApiHandleTest, HeaderChecksComeFirst) {
    Request r = request(Action::QueueGet, "/v2/queues/q", "q");
    r.headers.erase("Client-ID");
    Response missing = run(r);
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(
        missing.body.dump(),
        R"({"title":"Missing header value","description":"The \"Client-ID\" header is required."})");

    Request badName = request(Action::QueueGet, "/v2/queues/a%20b", "a b");
    EXPECT_EQ(run(badName).status, 400);

    Request notAllowed = request(Action::MethodNotAllowed, "/v2/queues/q", "q");
    notAllowed.allowedMethods = "GET, PUT, DELETE, PATCH";
    Response r405 = run(notAllowed);
    EXPECT_EQ(r405.status, 405);
    EXPECT_EQ(header(r405, "Allow"), "GET, PUT, DELETE, PATCH, OPTIONS");
    EXPECT_EQ(r405.body.dump(), R"({"title":"405 Method Not Allowed"})");

    Request versions;
    versions.action = Action::Versions;
    EXPECT_EQ(run(versions).status, 300);
}

TEST_F(ApiHandleTest, LazyQueueAndMetadata) {
    Response get = run(request(Action::QueueGet, "/v2/queues/lazy", "lazy"));
    EXPECT_EQ(get.status, 200);
    EXPECT_EQ(json_integer_value(get.body.at("_default_message_ttl")), 3600);

    Request put = request(Action::QueueCreate, "/v2/queues/lazy", "lazy");
    put.hasBody = true;
    put.body = R"({"color": "red", "_default_message_ttl": 300})";
    Response created = run(put);
    EXPECT_EQ(created.status, 201);
    EXPECT_EQ(header(created, "Location"), "/v2/queues/lazy");
    EXPECT_EQ(run(put).status, 204);

    Request patch = request(Action::QueueUpdate, "/v2/queues/lazy", "lazy");
    patch.headers["Content-Type"] = "application/openstack-messaging-v2.0-json-patch";
    patch.hasBody = true;
    patch.body = R"([{"op": "replace", "path": "/metadata/color", "value": "blue"},
                     {"op": "remove", "path": "/metadata/_max_claim_count"}])";
    Response patched = run(patch);
    EXPECT_EQ(patched.status, 200);
    EXPECT_STREQ(json_string_value(patched.body.at("color")), "blue");

    Request list = request(Action::QueueList, "/v2/queues");
    list.query = {{"detailed", "true"}, {"limit", "1"}};
    Response listed = run(list);
    EXPECT_EQ(listed.status, 200);
    EXPECT_EQ(json_array_size(listed.body.at("queues")), 1u);
    EXPECT_STREQ(
        json_string_value(json_object_get(json_array_get(listed.body.at("links"), 0), "href")),
        "/v2/queues?limit=1&detailed=true&marker=lazy");
}

TEST_F(ApiHandleTest, PostListClaimDelete) {
    Request post = request(Action::MessagePost, "/v2/queues/mq/messages", "mq");
    post.hasBody = true;
    post.body = R"({"messages": [{"body": {"n": 1}, "ttl": 300}, {"body": "two"}]})";
    Response posted = run(post);
    ASSERT_EQ(posted.status, 201) << posted.rawBody;
    // The post response is pre-rendered text (rawBody).
    ASSERT_EQ(json_array_size(parseJsonValue(posted.rawBody).at("resources")), 2u);

    Request list = request(Action::MessageList, "/v2/queues/mq/messages", "mq");
    list.query = {{"echo", "true"}, {"limit", "1"}};
    Response page = run(list);
    ASSERT_EQ(page.status, 200);
    // Message lists and claims are pre-rendered text too (stored bodies spliced in).
    Json pageBody = parseJsonValue(page.rawBody);
    ASSERT_EQ(json_array_size(pageBody.at("messages")), 1u);
    EXPECT_EQ(json_integer_value(json_object_get(
                  json_object_get(json_array_get(pageBody.at("messages"), 0), "body"), "n")),
              1);
    std::string href =
        json_string_value(json_object_get(json_array_get(pageBody.at("links"), 0), "href"));
    EXPECT_EQ(
        href.rfind("/v2/queues/mq/messages?limit=1&echo=true&include_delayed=true&marker=", 0), 0u)
        << href;

    Request hidden = request(Action::MessageList, "/v2/queues/mq/messages", "mq");
    Response none = run(hidden);
    EXPECT_EQ(none.rawBody, R"({"messages":[],"links":[]})");

    Request claim = request(Action::ClaimCreate, "/v2/queues/mq/claims", "mq");
    Response claimed = run(claim);
    ASSERT_EQ(claimed.status, 201) << claimed.rawBody;
    std::string location = header(claimed, "Location");
    std::string claimId = location.substr(location.rfind('/') + 1);
    Json claimedBody = parseJsonValue(claimed.rawBody);
    const json_t* first = json_array_get(claimedBody.at("messages"), 0);
    std::string messageHref = json_string_value(json_object_get(first, "href"));
    EXPECT_NE(messageHref.find("?claim_id=" + claimId), std::string::npos);
    std::string messageId = json_string_value(json_object_get(first, "id"));

    Request del = request(Action::MessageDelete, "/v2/queues/mq/messages/" + messageId, "mq");
    del.messageId = messageId;
    Response refused = run(del);
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(
        refused.body.dump(),
        R"({"title":"Unable to delete","description":"This message is claimed; it cannot be deleted without a valid claim ID."})");
    del.query = {{"claim_id", claimId}};
    EXPECT_EQ(run(del).status, 204);

    Request byIds = request(Action::MessageList, "/v2/queues/mq/messages", "mq");
    byIds.query = {{"ids", messageId}};
    Response gone = run(byIds);
    EXPECT_EQ(gone.status, 404);
    EXPECT_EQ(
        json_string_value(gone.body.at("description")),
        "No messages with IDs: ['" + messageId + "'] found in the queue mq for project proj.");

    Request nothing = request(Action::ClaimCreate, "/v2/queues/empty/claims", "empty");
    EXPECT_EQ(run(nothing).status, 204);
}

TEST_F(ApiHandleTest, PostValidationStillCreatesQueue) {
    Request post = request(Action::MessagePost, "/v2/queues/created/messages", "created");
    post.hasBody = true;
    post.body = R"({"messages": []})";
    Response rejected = run(post);
    EXPECT_EQ(rejected.status, 400);
    EXPECT_EQ(json_string_value(rejected.body.at("description")),
              std::string("No messages to enqueu."));
    Request list = request(Action::QueueList, "/v2/queues");
    Response listed = run(list);
    EXPECT_EQ(json_array_size(listed.body.at("queues")), 1u);
}

}  // namespace
}  // namespace zaqard::api
