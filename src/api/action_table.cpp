// The rows of the action table (see action_table.h) and the compile-time checks that keep
// it whole. One row per Action, in enum order.
#include "src/api/action_table.h"

#include <array>

#include "src/api/documents.h"
#include "src/api/errors.h"
#include "src/api/handlers/handlers.h"
#include "src/api/openapi/openapi.h"
#include "src/api/policy/rules.h"
#include "src/metrics/exposition.h"
#include "src/metrics/thread_metrics.h"

namespace zaqard::api {

namespace {

// Responders too small for a handlers/ file.
void versions(const CallPtr& call) {
    call->reply(versionsDocument());
}
void openapiDocument(const CallPtr& call) {
    Response response;
    response.rawBody = std::string(openapi::committedDocument());
    call->reply(std::move(response));
}
void homeDocument(const CallPtr& call) {
    call->reply(api::homeDocument(call->config.admin_mode));
}
void pingHead(const CallPtr& call) {
    call->reply(emptyResponse(204));
}
// Step 9 (rest-v2.md §1.2): after the header checks, before RBAC (the row has no rule).
void methodNotAllowed(const CallPtr& call) {
    Response response = errorResponse(405, "405 Method Not Allowed");
    const std::string& allowed = call->request.allowedMethods;
    response.addHeader("Allow", allowed.empty() ? "OPTIONS" : allowed + ", OPTIONS");
    call->reply(std::move(response));
}

using F = FrameField;
using To = FrameField::To;
constexpr auto S = FieldType::String;
constexpr auto I = FieldType::Integer;
constexpr auto B = FieldType::Boolean;
constexpr auto A = FieldType::Array;
constexpr auto O = FieldType::Object;
constexpr bool kRequired = true;
constexpr bool kOptional = false;

constexpr F kQueue{"queue_name", S, kRequired, To::Path};
constexpr F kTopic{"topic_name", S, kRequired, To::Path};
constexpr const char* kTopicMessages = "/v2/topics/{topic_name}/messages";
// Signed URLs over WebSocket grant message actions on the queue's messages path.
constexpr const char* kMessages = "/v2/queues/{queue_name}/messages";

constexpr ActionSpec kActions[] = {
    {.action = Action::MethodNotAllowed,
     .name = "method_not_allowed",
     .summary = "Answer 405 for a known path and an unsupported method",
     .handler = methodNotAllowed},
    {.action = Action::Versions,
     .name = "get_versions",
     .summary = "List the API versions",
     .checks = Checks::None,
     .rest = {"GET", "/"},
     .handler = versions},
    {.action = Action::OpenApi,
     .name = "get_openapi",
     .summary = "Get this OpenAPI 3.1 description of the REST API",
     .checks = Checks::None,
     .rest = {"GET", "/v2/openapi.json"},
     .handler = openapiDocument},
    {.action = Action::GetHomeDoc,
     .name = "get_home_doc",
     .summary = "Get the v2 JSON-Home document",
     .checks = Checks::Service,
     .rest = {"GET", "/v2/"},
     .websocket = {.offered = true, .bodyRequired = false},
     .handler = homeDocument},
    {.action = Action::Ping,
     .name = "ping_node",
     .summary = "Check that the service answers",
     .checks = Checks::Service,
     .rest = {"GET", "/v2/ping"},
     .rule = "ping:get",
     .websocket = {.offered = true, .bodyRequired = false},
     .handler = handlers::ping},
    {.action = Action::PingHead,
     .name = "ping_head",
     .summary = "Check that the service answers (HEAD)",
     .checks = Checks::Service,
     .rest = {"HEAD", "/v2/ping"},
     .rule = "ping:get",
     .handler = pingHead},
    {.action = Action::Health,
     .name = "check_node_health",
     .summary = "Report the storage's health (admin)",
     .checks = Checks::Service,
     .gate = Gate::Admin,
     .rest = {"GET", "/v2/health"},
     .rule = "health:get",
     .websocket = {.offered = true, .bodyRequired = false},
     .handler = handlers::health},
    {.action = Action::Metrics,
     .name = "get_metrics",
     .summary = "Prometheus metrics (text exposition format 0.0.4)",
     .checks = Checks::None,
     .rest = {"GET", "/metrics"},
     .handler = handlers::metrics,
     .produces = "text/plain"},

    {.action = Action::QueueList,
     .name = "queue_list",
     .summary = "List queues",
     .rest = {"GET", "/v2/queues"},
     .rule = "queues:get_all",
     .websocket = {.offered = true,
                   .bodyRequired = false,
                   .fields = {{"marker", S, kOptional, To::Query},
                              {"limit", I, kOptional, To::Query},
                              {"detailed", B, kOptional, To::Query}}},
     .handler = handlers::queueList},
    {.action = Action::QueueCreate,
     .name = "queue_create",
     .summary = "Create a queue",
     .rest = {"PUT", "/v2/queues/{queue_name}"},
     .rule = "queues:create",
     .websocket = {.offered = true, .fields = {kQueue, {"metadata", O, kOptional, To::WholeBody}}},
     .handler = handlers::queueCreate},
    {.action = Action::QueueGet,
     .name = "queue_get",
     .summary = "Get a queue's metadata",
     .rest = {"GET", "/v2/queues/{queue_name}"},
     .rule = "queues:get",
     .websocket = {.offered = true, .fields = {kQueue}},
     .handler = handlers::queueGet},
    {.action = Action::QueueUpdate,
     .name = "queue_update",
     .summary = "Update a queue's metadata (JSON-Patch)",
     .rest = {"PATCH", "/v2/queues/{queue_name}"},
     .rule = "queues:update",
     .handler = handlers::queueUpdate},
    {.action = Action::QueueDelete,
     .name = "queue_delete",
     .summary = "Delete a queue",
     .rest = {"DELETE", "/v2/queues/{queue_name}"},
     .rule = "queues:delete",
     .websocket = {.offered = true, .fields = {kQueue}},
     .handler = handlers::queueDelete},
    {.action = Action::QueueStats,
     .name = "queue_get_stats",
     .summary = "Get a queue's message statistics",
     .rest = {"GET", "/v2/queues/{queue_name}/stats"},
     .rule = "queues:stats",
     .websocket = {.offered = true, .fields = {kQueue}},
     .handler = handlers::queueStats},
    {.action = Action::QueueShare,
     .name = "queue_share",
     .summary = "Create a pre-signed URL for a queue",
     .rest = {"POST", "/v2/queues/{queue_name}/share"},
     .rule = "queues:share",
     .handler = handlers::queueShare},
    {.action = Action::QueuePurge,
     .name = "queue_purge",
     .summary = "Delete a queue's messages and/or subscriptions",
     .rest = {"POST", "/v2/queues/{queue_name}/purge"},
     .rule = "queues:purge",
     .websocket = {.offered = true, .fields = {kQueue, {"resource_types", A, kOptional, To::Body}}},
     .handler = handlers::queuePurge},

    {.action = Action::MessagePost,
     .name = "message_post",
     .summary = "Post messages to a queue",
     .rest = {"POST", kMessages},
     .rule = "messages:create",
     .websocket = {.offered = true,
                   .checksClientId = true,
                   .fields = {kQueue, {"messages", A, kRequired, To::Body}}},
     .signedFrame = {"POST", kMessages},
     .handler = handlers::messagePost},
    {.action = Action::MessageList,
     .name = "message_list",
     .summary = "List a queue's messages, or get some by id (?ids=)",
     .rest = {"GET", kMessages},
     .rule = "messages:get_all",
     .websocket = {.offered = true,
                   .checksClientId = true,
                   .fields = {kQueue,
                              {"marker", S, kOptional, To::Query},
                              {"limit", I, kOptional, To::Query},
                              {"echo", B, kOptional, To::Query},
                              {"include_claimed", B, kOptional, To::Query},
                              {"include_delayed", B, kOptional, To::Query}}},
     .signedFrame = {"GET", kMessages},
     .handler = handlers::messageList},
    {.action = Action::MessageGetMany,
     .name = "message_get_many",
     .summary = "Get a queue's messages by id",
     .rule = "messages:get_all",
     .websocket = {.offered = true,
                   .fields = {kQueue, {"message_ids", A, kRequired, To::Query, "ids"}}},
     .signedFrame = {"GET", kMessages},
     .handler = handlers::messageList},
    {.action = Action::MessageDeleteMany,
     .name = "message_delete_many",
     .summary = "Delete a queue's messages by id (?ids=), or pop some (?pop=)",
     .rest = {"DELETE", kMessages},
     .rule = "messages:delete_all",
     .websocket = {.offered = true,
                   .fields = {kQueue,
                              {"message_ids", A, kOptional, To::Query, "ids"},
                              {"claim_ids", A, kOptional, To::Query},
                              {"pop", I, kOptional, To::Query}}},
     .signedFrame = {"DELETE", kMessages},
     .handler = handlers::messageDeleteMany},
    {.action = Action::MessageGet,
     .name = "message_get",
     .summary = "Get a message",
     .rest = {"GET", "/v2/queues/{queue_name}/messages/{message_id}"},
     .rule = "messages:get",
     .websocket = {.offered = true, .fields = {kQueue, {"message_id", S, kRequired, To::Path}}},
     .signedFrame = {"GET", kMessages},
     .handler = handlers::messageGet},
    {.action = Action::MessageDelete,
     .name = "message_delete",
     .summary = "Delete a message",
     .rest = {"DELETE", "/v2/queues/{queue_name}/messages/{message_id}"},
     .rule = "messages:delete",
     .websocket = {.offered = true,
                   .fields = {kQueue,
                              {"message_id", S, kRequired, To::Path},
                              {"claim_id", S, kOptional, To::Query}}},
     .signedFrame = {"DELETE", kMessages},
     .handler = handlers::messageDelete},

    {.action = Action::ClaimCreate,
     .name = "claim_create",
     .summary = "Claim messages of a queue",
     .rest = {"POST", "/v2/queues/{queue_name}/claims"},
     .rule = "claims:create",
     .websocket = {.offered = true,
                   .fields = {kQueue,
                              {"limit", I, kOptional, To::Query},
                              {"ttl", I, kOptional, To::Body},
                              {"grace", I, kOptional, To::Body}}},
     .handler = handlers::claimCreate},
    {.action = Action::ClaimGet,
     .name = "claim_get",
     .summary = "Get a claim and its messages",
     .rest = {"GET", "/v2/queues/{queue_name}/claims/{claim_id}"},
     .rule = "claims:get",
     .websocket = {.offered = true, .fields = {kQueue, {"claim_id", S, kRequired, To::Path}}},
     .handler = handlers::claimGet},
    {.action = Action::ClaimUpdate,
     .name = "claim_update",
     .summary = "Renew a claim",
     .rest = {"PATCH", "/v2/queues/{queue_name}/claims/{claim_id}"},
     .rule = "claims:update",
     .websocket = {.offered = true,
                   .fields = {kQueue,
                              {"claim_id", S, kRequired, To::Path},
                              {"ttl", I, kOptional, To::Body},
                              {"grace", I, kOptional, To::Body}}},
     .handler = handlers::claimUpdate},
    {.action = Action::ClaimDelete,
     .name = "claim_delete",
     .summary = "Release a claim",
     .rest = {"DELETE", "/v2/queues/{queue_name}/claims/{claim_id}"},
     .rule = "claims:delete",
     .websocket = {.offered = true, .fields = {kQueue, {"claim_id", S, kRequired, To::Path}}},
     .handler = handlers::claimDelete},

    {.action = Action::SubscriptionList,
     .name = "subscription_list",
     .summary = "List a queue's subscriptions",
     .rest = {"GET", "/v2/queues/{queue_name}/subscriptions"},
     .rule = "subscription:get_all",
     .websocket = {.offered = true,
                   .fields = {kQueue,
                              {"marker", S, kOptional, To::Query},
                              {"limit", I, kOptional, To::Query}}},
     .handler = handlers::subscriptionList},
    {.action = Action::SubscriptionCreate,
     .name = "subscription_create",
     .summary = "Subscribe to a queue",
     .rest = {"POST", "/v2/queues/{queue_name}/subscriptions"},
     .rule = "subscription:create",
     .websocket = {.offered = true,
                   .fields = {kQueue,
                              {"subscriber", S, kOptional, To::Body},
                              {"ttl", I, kOptional, To::Body},
                              {"options", O, kOptional, To::Body}}},
     .handler = handlers::subscriptionCreate},
    {.action = Action::SubscriptionGet,
     .name = "subscription_get",
     .summary = "Get a subscription",
     .rest = {"GET", "/v2/queues/{queue_name}/subscriptions/{subscription_id}"},
     .rule = "subscription:get",
     .websocket = {.offered = true,
                   .fields = {kQueue, {"subscription_id", S, kRequired, To::Path}}},
     .handler = handlers::subscriptionGet},
    {.action = Action::SubscriptionUpdate,
     .name = "subscription_update",
     .summary = "Update a subscription",
     .rest = {"PATCH", "/v2/queues/{queue_name}/subscriptions/{subscription_id}"},
     .rule = "subscription:update",
     .handler = handlers::subscriptionUpdate},
    {.action = Action::SubscriptionDelete,
     .name = "subscription_delete",
     .summary = "Delete a subscription",
     .rest = {"DELETE", "/v2/queues/{queue_name}/subscriptions/{subscription_id}"},
     .rule = "subscription:delete",
     .websocket = {.offered = true,
                   .fields = {kQueue, {"subscription_id", S, kRequired, To::Path}}},
     .handler = handlers::subscriptionDelete},
    {.action = Action::SubscriptionConfirm,
     .name = "subscription_confirm",
     .summary = "Confirm or revoke a subscription",
     .rest = {"PUT", "/v2/queues/{queue_name}/subscriptions/{subscription_id}/confirm"},
     .rule = "subscription:confirm",
     .handler = handlers::subscriptionConfirm},

    // Topics (rest-v2.md §8). Zaqar 15 offers no topic action over WebSocket: the
    // topic_* frames are a zaqard extension (docs/api.md), named after the queue ones.
    // Zaqar guards the topic message and subscription routes with the messages:* and
    // subscription:* rules (its v2_0/__init__.py mounts the queue resources there).
    {.action = Action::TopicList,
     .name = "topic_list",
     .summary = "List topics",
     .rest = {"GET", "/v2/topics"},
     .rule = "topics:get_all",
     .websocket = {.offered = true,
                   .bodyRequired = false,
                   .fields = {{"marker", S, kOptional, To::Query},
                              {"limit", I, kOptional, To::Query},
                              {"detailed", B, kOptional, To::Query}}},
     .handler = handlers::queueList},
    {.action = Action::TopicCreate,
     .name = "topic_create",
     .summary = "Create a topic",
     .rest = {"PUT", "/v2/topics/{topic_name}"},
     .rule = "topics:create",
     .websocket = {.offered = true, .fields = {kTopic, {"metadata", O, kOptional, To::WholeBody}}},
     .handler = handlers::queueCreate},
    {.action = Action::TopicGet,
     .name = "topic_get",
     .summary = "Get a topic's metadata",
     .rest = {"GET", "/v2/topics/{topic_name}"},
     .rule = "topics:get",
     .websocket = {.offered = true, .fields = {kTopic}},
     .handler = handlers::queueGet},
    {.action = Action::TopicUpdate,
     .name = "topic_update",
     .summary = "Update a topic's metadata (JSON-Patch)",
     .rest = {"PATCH", "/v2/topics/{topic_name}"},
     .rule = "topics:update",
     .handler = handlers::queueUpdate},
    {.action = Action::TopicDelete,
     .name = "topic_delete",
     .summary = "Delete a topic",
     .rest = {"DELETE", "/v2/topics/{topic_name}"},
     .rule = "topics:delete",
     .websocket = {.offered = true, .fields = {kTopic}},
     .handler = handlers::queueDelete},
    {.action = Action::TopicStats,
     .name = "topic_get_stats",
     .summary = "Get a topic's message statistics",
     .rest = {"GET", "/v2/topics/{topic_name}/stats"},
     .rule = "topics:stats",
     .websocket = {.offered = true, .fields = {kTopic}},
     .handler = handlers::queueStats},
    {.action = Action::TopicPurge,
     .name = "topic_purge",
     .summary = "Delete a topic's messages and/or subscriptions",
     .rest = {"POST", "/v2/topics/{topic_name}/purge"},
     .rule = "topics:purge",
     .websocket = {.offered = true, .fields = {kTopic, {"resource_types", A, kOptional, To::Body}}},
     .handler = handlers::queuePurge},
    {.action = Action::TopicMessagePost,
     .name = "topic_message_post",
     .summary = "Post messages to a topic (fanned out to its subscribers)",
     .rest = {"POST", kTopicMessages},
     .rule = "messages:create",
     .websocket = {.offered = true,
                   .checksClientId = true,
                   .fields = {kTopic, {"messages", A, kRequired, To::Body}}},
     .handler = handlers::messagePost},
    {.action = Action::TopicMessageList,
     .name = "topic_message_list",
     .summary = "List a topic's messages, or get some by id (?ids=)",
     .rest = {"GET", kTopicMessages},
     .rule = "messages:get_all",
     .websocket = {.offered = true,
                   .checksClientId = true,
                   .fields = {kTopic,
                              {"marker", S, kOptional, To::Query},
                              {"limit", I, kOptional, To::Query},
                              {"echo", B, kOptional, To::Query},
                              {"include_claimed", B, kOptional, To::Query},
                              {"include_delayed", B, kOptional, To::Query}}},
     .handler = handlers::messageList},
    {.action = Action::TopicMessageGetMany,
     .name = "topic_message_get_many",
     .summary = "Get a topic's messages by id",
     .rule = "messages:get_all",
     .websocket = {.offered = true,
                   .fields = {kTopic, {"message_ids", A, kRequired, To::Query, "ids"}}},
     .handler = handlers::messageList},
    {.action = Action::TopicMessageDeleteMany,
     .name = "topic_message_delete_many",
     .summary = "Delete a topic's messages by id (?ids=), or pop some (?pop=)",
     .rest = {"DELETE", kTopicMessages},
     .rule = "messages:delete_all",
     .websocket = {.offered = true,
                   .fields = {kTopic,
                              {"message_ids", A, kOptional, To::Query, "ids"},
                              {"pop", I, kOptional, To::Query}}},
     .handler = handlers::messageDeleteMany},
    {.action = Action::TopicMessageGet,
     .name = "topic_message_get",
     .summary = "Get a topic's message",
     .rest = {"GET", "/v2/topics/{topic_name}/messages/{message_id}"},
     .rule = "messages:get",
     .websocket = {.offered = true, .fields = {kTopic, {"message_id", S, kRequired, To::Path}}},
     .handler = handlers::messageGet},
    {.action = Action::TopicMessageDelete,
     .name = "topic_message_delete",
     .summary = "Delete a topic's message",
     .rest = {"DELETE", "/v2/topics/{topic_name}/messages/{message_id}"},
     .rule = "messages:delete",
     .websocket = {.offered = true, .fields = {kTopic, {"message_id", S, kRequired, To::Path}}},
     .handler = handlers::messageDelete},
    {.action = Action::TopicSubscriptionList,
     .name = "topic_subscription_list",
     .summary = "List a topic's subscriptions",
     .rest = {"GET", "/v2/topics/{topic_name}/subscriptions"},
     .rule = "subscription:get_all",
     .websocket = {.offered = true,
                   .fields = {kTopic,
                              {"marker", S, kOptional, To::Query},
                              {"limit", I, kOptional, To::Query}}},
     .handler = handlers::subscriptionList},
    {.action = Action::TopicSubscriptionCreate,
     .name = "topic_subscription_create",
     .summary = "Subscribe to a topic",
     .rest = {"POST", "/v2/topics/{topic_name}/subscriptions"},
     .rule = "subscription:create",
     .websocket = {.offered = true,
                   .fields = {kTopic,
                              {"subscriber", S, kOptional, To::Body},
                              {"ttl", I, kOptional, To::Body},
                              {"options", O, kOptional, To::Body}}},
     .handler = handlers::subscriptionCreate},
    {.action = Action::TopicSubscriptionGet,
     .name = "topic_subscription_get",
     .summary = "Get a topic's subscription",
     .rest = {"GET", "/v2/topics/{topic_name}/subscriptions/{subscription_id}"},
     .rule = "subscription:get",
     .websocket = {.offered = true,
                   .fields = {kTopic, {"subscription_id", S, kRequired, To::Path}}},
     .handler = handlers::subscriptionGet},
    {.action = Action::TopicSubscriptionUpdate,
     .name = "topic_subscription_update",
     .summary = "Update a topic's subscription",
     .rest = {"PATCH", "/v2/topics/{topic_name}/subscriptions/{subscription_id}"},
     .rule = "subscription:update",
     .handler = handlers::subscriptionUpdate},
    {.action = Action::TopicSubscriptionDelete,
     .name = "topic_subscription_delete",
     .summary = "Delete a topic's subscription",
     .rest = {"DELETE", "/v2/topics/{topic_name}/subscriptions/{subscription_id}"},
     .rule = "subscription:delete",
     .websocket = {.offered = true,
                   .fields = {kTopic, {"subscription_id", S, kRequired, To::Path}}},
     .handler = handlers::subscriptionDelete},
    {.action = Action::TopicSubscriptionConfirm,
     .name = "topic_subscription_confirm",
     .summary = "Confirm or revoke a topic's subscription",
     .rest = {"PUT", "/v2/topics/{topic_name}/subscriptions/{subscription_id}/confirm"},
     .rule = "subscription:confirm",
     .handler = handlers::subscriptionConfirm},
    {.action = Action::PoolList,
     .name = "pool_list",
     .summary = "List the storage pools (admin)",
     .checks = Checks::Service,
     .gate = Gate::AdminPooling,
     .rest = {"GET", "/v2/pools"},
     .rule = "pools:get_all",
     .handler = handlers::poolList},
    {.action = Action::PoolGet,
     .name = "pool_get",
     .summary = "Get a storage pool (admin)",
     .checks = Checks::Service,
     .gate = Gate::AdminPooling,
     .rest = {"GET", "/v2/pools/{pool_name}"},
     .rule = "pools:get",
     .handler = handlers::poolGet},
    {.action = Action::PoolCreate,
     .name = "pool_create",
     .summary = "Register or replace a storage pool (admin)",
     .checks = Checks::Service,
     .gate = Gate::AdminPooling,
     .rest = {"PUT", "/v2/pools/{pool_name}"},
     .rule = "pools:create",
     .handler = handlers::poolCreate},
    {.action = Action::PoolUpdate,
     .name = "pool_update",
     .summary = "Update a storage pool (admin)",
     .checks = Checks::Service,
     .gate = Gate::AdminPooling,
     .rest = {"PATCH", "/v2/pools/{pool_name}"},
     .rule = "pools:update",
     .handler = handlers::poolUpdate},
    {.action = Action::PoolDelete,
     .name = "pool_delete",
     .summary = "Remove a storage pool (admin)",
     .checks = Checks::Service,
     .gate = Gate::AdminPooling,
     .rest = {"DELETE", "/v2/pools/{pool_name}"},
     .rule = "pools:delete",
     .handler = handlers::poolDelete},
    {.action = Action::FlavorList,
     .name = "flavor_list",
     .summary = "List the project's flavors",
     .checks = Checks::Service,
     .gate = Gate::AdminPooling,
     .rest = {"GET", "/v2/flavors"},
     .rule = "flavors:get_all",
     .handler = handlers::flavorList},
    {.action = Action::FlavorGet,
     .name = "flavor_get",
     .summary = "Get a flavor",
     .checks = Checks::Service,
     .gate = Gate::AdminPooling,
     .rest = {"GET", "/v2/flavors/{flavor_name}"},
     .rule = "flavors:get",
     .handler = handlers::flavorGet},
    {.action = Action::FlavorCreate,
     .name = "flavor_create",
     .summary = "Create a flavor from pools (admin)",
     .checks = Checks::Service,
     .gate = Gate::AdminPooling,
     .rest = {"PUT", "/v2/flavors/{flavor_name}"},
     .rule = "flavors:create",
     .handler = handlers::flavorCreate},
    {.action = Action::FlavorUpdate,
     .name = "flavor_update",
     .summary = "Change a flavor's pools (admin)",
     .checks = Checks::Service,
     .gate = Gate::AdminPooling,
     .rest = {"PATCH", "/v2/flavors/{flavor_name}"},
     .rule = "flavors:update",
     .handler = handlers::flavorUpdate},
    {.action = Action::FlavorDelete,
     .name = "flavor_delete",
     .summary = "Delete a flavor (admin)",
     .checks = Checks::Service,
     .gate = Gate::AdminPooling,
     .rest = {"DELETE", "/v2/flavors/{flavor_name}"},
     .rule = "flavors:delete",
     .handler = handlers::flavorDelete},
};

// ---- Compile-time checks: a row that breaks one of these does not build. ----

constexpr bool same(const char* a, const char* b) {
    return std::string_view(a) == std::string_view(b);
}

// Whether every "{param}" segment of `pattern` names a path parameter.
constexpr bool patternParamsKnown(std::string_view pattern) {
    while (!pattern.empty()) {
        size_t slash = pattern.find('/');
        std::string_view segment = pattern.substr(0, slash);
        std::string_view param = patternParam(segment);
        if (segment.starts_with('{') && (param.empty() || !pathParamMember(param))) return false;
        if (slash == std::string_view::npos) break;
        pattern.remove_prefix(slash + 1);
    }
    return true;
}

constexpr bool patternHasParam(std::string_view pattern, std::string_view name) {
    while (!pattern.empty()) {
        size_t slash = pattern.find('/');
        if (patternParam(pattern.substr(0, slash)) == name) return true;
        if (slash == std::string_view::npos) break;
        pattern.remove_prefix(slash + 1);
    }
    return false;
}

constexpr bool rowsFollowTheEnum() {
    if (std::size(kActions) != static_cast<size_t>(kActionCount)) return false;
    for (size_t i = 0; i < std::size(kActions); ++i)
        if (kActions[i].action != static_cast<Action>(i)) return false;
    return true;
}

constexpr bool everyRowIsComplete() {
    for (const ActionSpec& row : kActions) {
        // (GCC cannot compare a function's address with null at compile time: the unit
        // test ActionTable.OneRowPerActionInEnumOrder checks the handlers.)
        if (!row.name || !row.summary) return false;
        if (!row.rest.method != !row.rest.path) return false;
        if (!row.signedFrame.method != !row.signedFrame.path) return false;
        if (row.rest.path && (row.rest.path[0] != '/' || !patternParamsKnown(row.rest.path)))
            return false;
    }
    return true;
}

constexpr bool namesAndRoutesAreUnique() {
    for (size_t i = 0; i < std::size(kActions); ++i)
        for (size_t j = i + 1; j < std::size(kActions); ++j) {
            const ActionSpec& a = kActions[i];
            const ActionSpec& b = kActions[j];
            if (same(a.name, b.name)) return false;
            if (a.rest.path && b.rest.path && same(a.rest.path, b.rest.path) &&
                same(a.rest.method, b.rest.method))
                return false;
        }
    return true;
}

constexpr bool rulesAreZaqars() {
    for (const ActionSpec& row : kActions)
        if (row.rule && !policy::isDefaultRule(row.rule)) return false;
    return true;
}

// Frame fields sent to the path are path parameters, and the same ones the REST route
// names; signed frames are WebSocket actions whose signed path uses known parameters.
constexpr bool framesAgreeWithRoutes() {
    for (const ActionSpec& row : kActions) {
        const FrameSchema& frame = row.websocket;
        if (!frame.offered) {
            if (frame.fields[0].name || row.signedFrame.method) return false;
            continue;
        }
        if (row.checks == Checks::None) return false;
        for (const FrameField& field : frame.fields) {
            if (!field.name) break;
            if (field.to != FrameField::To::Path) continue;
            if (!pathParamMember(field.name)) return false;
            if (row.rest.path && !patternHasParam(row.rest.path, field.name)) return false;
        }
        if (row.signedFrame.path && !patternParamsKnown(row.signedFrame.path)) return false;
    }
    return true;
}

static_assert(kActionCount <= metrics::kMaxActions, "raise metrics::kMaxActions");
static_assert(rowsFollowTheEnum(), "kActions must have one row per Action, in enum order");
static_assert(everyRowIsComplete(), "every row needs a name, summary, well-formed routes");
static_assert(namesAndRoutesAreUnique(), "action names and REST routes must be unique");
static_assert(rulesAreZaqars(), "a row's rule must be one of policy::kDefaultRules");
static_assert(framesAgreeWithRoutes(), "WebSocket fields must agree with the REST route");

constexpr bool frameHasParam(const FrameSchema& frame, const char* param) {
    for (const FrameField& field : frame.fields) {
        if (!field.name) break;
        if (field.to == FrameField::To::Path && same(field.name, param)) return true;
    }
    return false;
}

// Whether each row's route or frame names `param`.
constexpr std::array<bool, kActionCount> rowsNaming(const char* param) {
    std::array<bool, kActionCount> has{};
    for (const ActionSpec& row : kActions)
        has[static_cast<size_t>(row.action)] =
            (row.rest.path && patternHasParam(row.rest.path, param)) ||
            frameHasParam(row.websocket, param);
    return has;
}

constexpr std::array<bool, kActionCount> kHasQueueName = rowsNaming("queue_name");
constexpr std::array<bool, kActionCount> kHasTopicName = rowsNaming("topic_name");

// Topic actions: those naming a topic, and the topic listing (its route is /v2/topics).
constexpr std::array<bool, kActionCount> kServesTopics = [] {
    std::array<bool, kActionCount> serves = kHasTopicName;
    for (const ActionSpec& row : kActions)
        if (row.rest.path && same(row.rest.path, "/v2/topics"))
            serves[static_cast<size_t>(row.action)] = true;
    return serves;
}();

}  // namespace

std::span<const ActionSpec> actionTable() {
    return kActions;
}

const ActionSpec* websocketAction(std::string_view name) {
    for (const ActionSpec& row : kActions)
        if (row.websocket.offered && name == row.name) return &row;
    return nullptr;
}

bool hasQueueName(Action action) {
    int a = static_cast<int>(action);
    return a >= 0 && a < kActionCount && kHasQueueName[static_cast<size_t>(a)];
}

bool hasTopicName(Action action) {
    int a = static_cast<int>(action);
    return a >= 0 && a < kActionCount && kHasTopicName[static_cast<size_t>(a)];
}

bool servesTopics(Action action) {
    int a = static_cast<int>(action);
    return a >= 0 && a < kActionCount && kServesTopics[static_cast<size_t>(a)];
}

std::string expandPath(std::string_view pattern, const PathParams& params) {
    std::string path;
    while (true) {
        size_t slash = pattern.find('/');
        std::string_view segment = pattern.substr(0, slash);
        auto member = pathParamMember(patternParam(segment));
        if (member)
            path += params.*member;
        else
            path += segment;
        if (slash == std::string_view::npos) break;
        path += '/';
        pattern.remove_prefix(slash + 1);
    }
    return path;
}

}  // namespace zaqard::api
