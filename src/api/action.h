// The api's actions: one value per operation a transport can ask for. The enum is only a
// name for a row of the action table (action_table.h), which says everything else about
// the action: its REST route, WebSocket name and frame schema, policy rule, signed-URL
// eligibility, handler. action_table.cpp static_asserts that every value below has
// exactly one row, in this order, so a value added here without a row does not compile.
#pragma once

namespace zaqard::api {

enum class Action {
    // A known path with an unsupported method: 405 with Request::allowedMethods, after
    // the header checks (Zaqar runs Client-ID/project/name checks first, rest-v2.md §1.2).
    MethodNotAllowed,
    // Service documents
    Versions,  // GET /: no header checks at all
    OpenApi,   // GET /v2/openapi.json: no header checks either
    GetHomeDoc,
    Ping,
    PingHead,  // HEAD /v2/ping: always 204, never touches storage
    Health,
    Metrics,  // GET /metrics: Prometheus exposition, no header checks (docs/metrics.md)
    // Queues
    QueueList,
    QueueCreate,
    QueueGet,
    QueueUpdate,  // PATCH (json-patch on metadata)
    QueueDelete,
    QueueStats,
    QueueShare,
    QueuePurge,
    QueueRedrive,  // beyond Zaqar: dead-letter queue -> source queue (docs/api.md)
    // Messages
    MessagePost,
    MessageList,        // also GET ...?ids= (the api layer looks at params["ids"])
    MessageGetMany,     // WebSocket message_get_many: MessageList's responder with ids
    MessageDeleteMany,  // DELETE ...?ids= or ?pop=
    MessageGet,
    MessageDelete,
    // Claims
    ClaimCreate,
    ClaimGet,
    ClaimUpdate,
    ClaimDelete,
    // Subscriptions
    SubscriptionList,
    SubscriptionCreate,
    SubscriptionGet,
    SubscriptionUpdate,
    SubscriptionDelete,
    SubscriptionConfirm,
    // Beyond Zaqar: the queue's notification dead letters (docs/api.md)
    SubscriptionDeadLetterList,
    SubscriptionDeadLetterDelete,
    // Topics (rest-v2.md §8): the queue responders on the topic namespace; no claims.
    TopicList,
    TopicCreate,
    TopicGet,
    TopicUpdate,
    TopicDelete,
    TopicStats,
    TopicPurge,
    TopicMessagePost,
    TopicMessageList,
    TopicMessageGetMany,  // WebSocket only, as MessageGetMany
    TopicMessageDeleteMany,
    TopicMessageGet,
    TopicMessageDelete,
    TopicSubscriptionList,
    TopicSubscriptionCreate,
    TopicSubscriptionGet,
    TopicSubscriptionUpdate,
    TopicSubscriptionDelete,
    TopicSubscriptionConfirm,
    // Pools and flavors (admin_mode and pooling; REST only, as in Zaqar)
    PoolList,
    PoolGet,
    PoolCreate,
    PoolUpdate,
    PoolDelete,
    FlavorList,
    FlavorGet,
    FlavorCreate,
    FlavorUpdate,
    FlavorDelete,

    Count  // not an action: the number of actions (keep last)
};

inline constexpr int kActionCount = static_cast<int>(Action::Count);

}  // namespace zaqard::api
