// The action table (src/api/action_table.h) and what is derived from it: every REST row
// routes back to itself, every WebSocket name finds its row, signed-URL methods and the
// {queue_name} checks follow the rows, and the route matcher already serves the shapes of
// the actions still to come (topics, pools, flavors; rest-v2.md §8, §9) from a table.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "src/api/action_table.h"
#include "src/api/policy/rules.h"
#include "src/api/signed_url_verifier.h"
#include "transports/http/router.h"

namespace zaqard {
namespace {

using api::Action;
using api::ActionSpec;
using http::RouteMatch;
using http::RouterOptions;
using Kind = RouteMatch::Kind;

void fillParams(api::PathParams& params) {
    params.queueName = "q";
    params.messageId = "m";
    params.claimId = "c";
    params.subscriptionId = "s";
    params.topicName = "t";
    params.poolName = "p";
    params.flavorName = "f";
}

TEST(ActionTable, OneRowPerActionInEnumOrder) {
    auto table = api::actionTable();
    ASSERT_EQ(table.size(), static_cast<size_t>(api::kActionCount));
    for (size_t i = 0; i < table.size(); ++i) {
        EXPECT_EQ(table[i].action, static_cast<Action>(i)) << i;
        EXPECT_NE(table[i].handler, nullptr) << table[i].name;
    }
}

TEST(ActionTable, EveryRestRouteRoutesBackToItsRow) {
    api::PathParams params;
    fillParams(params);
    int routed = 0;
    for (const ActionSpec& row : api::actionTable()) {
        if (!row.rest.path) continue;
        std::string path = api::expandPath(row.rest.path, params);
        RouteMatch match = http::route(row.rest.method, path, RouterOptions{true, true});
        EXPECT_EQ(match.kind, Kind::Found) << row.name;
        EXPECT_EQ(match.action, row.action) << row.name << " " << path;
        EXPECT_STREQ(api::methodOfAction(row.action), row.rest.method);
        ++routed;
    }
    // All but MethodNotAllowed and the WebSocket-only message_get_many, topic_message_get_many.
    EXPECT_EQ(routed, api::kActionCount - 3);
}

TEST(ActionTable, WebSocketNamesAreZaqars) {
    // websocket-v2.md §3 (authenticate is the transport's own).
    const std::set<std::string> expected = {
        "get_home_doc", "ping_node", "check_node_health", "queue_list", "queue_create", "queue_get",
        "queue_delete", "queue_get_stats", "queue_purge", "message_post", "message_list",
        "message_get", "message_get_many", "message_delete", "message_delete_many", "claim_create",
        "claim_get", "claim_update", "claim_delete", "subscription_create", "subscription_list",
        "subscription_get", "subscription_delete",
        // zaqard's extension (docs/api.md): Zaqar 15 has no topic action over WebSocket.
        "topic_list", "topic_create", "topic_get", "topic_delete", "topic_get_stats", "topic_purge",
        "topic_message_post", "topic_message_list", "topic_message_get_many",
        "topic_message_delete_many", "topic_message_get", "topic_message_delete",
        "topic_subscription_list", "topic_subscription_create", "topic_subscription_get",
        "topic_subscription_delete",
        // zaqard's extensions beyond Zaqar (docs/api.md): redrive, notification dead letters.
        "queue_redrive", "subscription_dead_letter_list", "subscription_dead_letter_delete"};
    std::set<std::string> offered;
    for (const ActionSpec& row : api::actionTable()) {
        if (!row.websocket.offered) {
            EXPECT_EQ(api::websocketAction(row.name), nullptr) << row.name;
            continue;
        }
        offered.insert(row.name);
        EXPECT_EQ(api::websocketAction(row.name), &row);
    }
    EXPECT_EQ(offered, expected);
    EXPECT_EQ(api::websocketAction("queue_update"), nullptr);
    EXPECT_EQ(api::websocketAction("authenticate"), nullptr);
}

TEST(ActionTable, TopicNameChecksFollowRoutesAndFrames) {
    EXPECT_TRUE(api::hasTopicName(Action::TopicCreate));
    EXPECT_TRUE(api::hasTopicName(Action::TopicMessageGetMany));  // a WebSocket-only row
    EXPECT_TRUE(api::hasTopicName(Action::TopicSubscriptionConfirm));
    EXPECT_FALSE(api::hasTopicName(Action::TopicList));
    EXPECT_FALSE(api::hasQueueName(Action::TopicMessagePost));
    EXPECT_FALSE(api::hasTopicName(Action::MessagePost));
    EXPECT_TRUE(api::servesTopics(Action::TopicList));
    EXPECT_TRUE(api::servesTopics(Action::TopicMessagePost));
    EXPECT_FALSE(api::servesTopics(Action::QueueList));
}

TEST(ActionTable, QueueNameChecksFollowRoutesAndFrames) {
    EXPECT_TRUE(api::hasQueueName(Action::QueueCreate));
    EXPECT_TRUE(api::hasQueueName(Action::MessageGetMany));  // a WebSocket-only row
    EXPECT_TRUE(api::hasQueueName(Action::SubscriptionConfirm));
    for (Action action : {Action::Versions, Action::GetHomeDoc, Action::Ping, Action::PingHead,
                          Action::Health, Action::QueueList, Action::MethodNotAllowed})
        EXPECT_FALSE(api::hasQueueName(action)) << static_cast<int>(action);
}

TEST(ActionTable, RulesAndSignedFramesComeFromTheRows) {
    EXPECT_STREQ(api::policy::ruleForAction(Action::MessageGetMany), "messages:get_all");
    EXPECT_EQ(api::policy::ruleForAction(Action::Count), nullptr);
    int signedActions = 0;
    for (const ActionSpec& row : api::actionTable())
        if (row.signedFrame.method) ++signedActions;
    EXPECT_EQ(signedActions, 6);  // the message actions (websocket-v2.md §4.1)
}

TEST(ActionTable, ExpandPath) {
    api::PathParams params;
    fillParams(params);
    EXPECT_EQ(api::expandPath("/v2/queues/{queue_name}/messages", params), "/v2/queues/q/messages");
    EXPECT_EQ(api::expandPath("/v2/topics/{topic_name}/subscriptions/{subscription_id}", params),
              "/v2/topics/t/subscriptions/s");
    EXPECT_EQ(api::expandPath("/v2/", params), "/v2/");
    EXPECT_EQ(api::expandPath("/", params), "/");
}

// A table with the shapes of rest-v2.md §8 and §9 (borrowing existing enum values): what
// adding topics, pools and flavors needs from the matcher.
void noop(const api::CallPtr&) {}
constexpr ActionSpec kFutureRows[] = {
    {.action = Action::QueueList,
     .name = "topic_list",
     .summary = "",
     .rest = {"GET", "/v2/topics"},
     .handler = noop},
    {.action = Action::QueueGet,
     .name = "topic_get",
     .summary = "",
     .rest = {"GET", "/v2/topics/{topic_name}"},
     .handler = noop},
    {.action = Action::QueueCreate,
     .name = "topic_create",
     .summary = "",
     .rest = {"PUT", "/v2/topics/{topic_name}"},
     .handler = noop},
    {.action = Action::QueueStats,
     .name = "topic_stats",
     .summary = "",
     .rest = {"GET", "/v2/topics/{topic_name}/stats"},
     .handler = noop},
    {.action = Action::MessagePost,
     .name = "topic_message_post",
     .summary = "",
     .rest = {"POST", "/v2/topics/{topic_name}/messages"},
     .handler = noop},
    {.action = Action::MessageGet,
     .name = "topic_message_get",
     .summary = "",
     .rest = {"GET", "/v2/topics/{topic_name}/messages/{message_id}"},
     .handler = noop},
    {.action = Action::SubscriptionConfirm,
     .name = "topic_subscription_confirm",
     .summary = "",
     .rest = {"PUT", "/v2/topics/{topic_name}/subscriptions/{subscription_id}/confirm"},
     .handler = noop},
    {.action = Action::ClaimGet,
     .name = "pool_list",
     .summary = "",
     .gate = api::Gate::AdminPooling,
     .rest = {"GET", "/v2/pools"},
     .handler = noop},
    {.action = Action::ClaimUpdate,
     .name = "pool_update",
     .summary = "",
     .gate = api::Gate::AdminPooling,
     .rest = {"PATCH", "/v2/pools/{pool_name}"},
     .handler = noop},
    {.action = Action::ClaimDelete,
     .name = "flavor_get",
     .summary = "",
     .gate = api::Gate::AdminPooling,
     .rest = {"GET", "/v2/flavors/{flavor_name}"},
     .handler = noop},
    // A literal segment beside a parameter at the same depth: the literal wins.
    {.action = Action::Health,
     .name = "topic_special",
     .summary = "",
     .rest = {"GET", "/v2/topics/special"},
     .handler = noop},
};

TEST(RouteMatcher, TopicPoolAndFlavorShapes) {
    const http::Router router(kFutureRows);
    const RouterOptions publicOptions{};
    const RouterOptions admin{true, false};
    const RouterOptions pooling{true, true};

    RouteMatch match = router.match("POST", "/v2/topics/news/messages", publicOptions);
    EXPECT_EQ(match.kind, Kind::Found);
    EXPECT_EQ(match.action, Action::MessagePost);
    EXPECT_EQ(match.topicName, "news");
    EXPECT_EQ(match.queueName, "");

    match = router.match("GET", "/v2/topics/news/messages/m1", publicOptions);
    EXPECT_EQ(match.action, Action::MessageGet);
    EXPECT_EQ(match.topicName, "news");
    EXPECT_EQ(match.messageId, "m1");

    match = router.match("PUT", "/v2/topics/t/subscriptions/s1/confirm", publicOptions);
    EXPECT_EQ(match.action, Action::SubscriptionConfirm);
    EXPECT_EQ(match.subscriptionId, "s1");

    match = router.match("DELETE", "/v2/topics/t", publicOptions);
    EXPECT_EQ(match.action, Action::MethodNotAllowed);
    EXPECT_EQ(match.allowedMethods, "GET, PUT");
    EXPECT_EQ(match.topicName, "t");

    match = router.match("GET", "/v2/topics/special", publicOptions);
    EXPECT_EQ(match.action, Action::Health);
    match = router.match("GET", "/v2/topics/other", publicOptions);
    EXPECT_EQ(match.action, Action::QueueGet);

    // Pools and flavors exist only with admin_mode and pooling.
    EXPECT_EQ(router.match("GET", "/v2/pools", publicOptions).kind, Kind::NotFound);
    EXPECT_EQ(router.match("GET", "/v2/pools", admin).kind, Kind::NotFound);
    match = router.match("PATCH", "/v2/pools/p1", pooling);
    EXPECT_EQ(match.action, Action::ClaimUpdate);
    EXPECT_EQ(match.poolName, "p1");
    match = router.match("GET", "/v2/flavors/gold", pooling);
    EXPECT_EQ(match.action, Action::ClaimDelete);
    EXPECT_EQ(match.flavorName, "gold");
    match = router.match("OPTIONS", "/v2/flavors/gold", pooling);
    EXPECT_EQ(match.kind, Kind::Options);
    EXPECT_EQ(match.allowedMethods, "GET");
}

}  // namespace
}  // namespace zaqard
