// Plain data exchanged between the api layer and the storage drivers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "src/common/json.h"

namespace zaqard::storage {

// Queues and topics (rest-v2.md §8) share one storage model (messages, subscriptions,
// notification delivery) in separate namespaces: a topic and a queue of the same name are
// different resources.
enum class ResourceKind { Queue, Topic };

// A queue (or topic) is addressed by its tenant, name and kind; every stored key is
// scoped by all three.
struct QueueRef {
    std::string project;
    std::string name;
    ResourceKind kind = ResourceKind::Queue;
};

struct Message {
    std::string id;
    std::string body;        // the message body as JSON text, exactly as posted
    int64_t ttl = 0;         // current TTL in seconds (claims may raise it)
    int64_t age = 0;         // whole seconds since posting
    double created = 0;      // UNIX seconds of posting
    std::string claimId;     // id of the live claim holding it; empty when not claimed
    int64_t claimCount = 0;  // claims so far (only counted when a DLQ is configured)
    std::string group{};     // FIFO message group; empty when none (docs/api.md)
};

struct NewMessage {
    std::string body;              // JSON text
    std::optional<int64_t> ttl;    // absent: queue _default_message_ttl, else config
    std::optional<int64_t> delay;  // absent: queue _default_message_delay
    // Beyond Zaqar: "" none (docs/api.md "Idempotent publish"). The initializer keeps
    // aggregate initialisations that stop before it free of -Wmissing-field-initializers.
    std::string idempotencyKey = {};
    std::string group{};  // FIFO message group (validated); empty: none (docs/api.md)
};

struct PostRequest {
    QueueRef queue;
    std::string clientId;  // normalised; stored for echo filtering
    std::vector<NewMessage> messages;
    int64_t bodySize = 0;  // request Content-Length, checked against the queue's limit
    // Beyond Zaqar: the Idempotency-Key of the whole post ("" none). A key seen within the
    // queue's window answers the ids stored then, and stores nothing.
    std::string idempotencyKey = {};  // (initializer: see NewMessage)
    // The posting request's id, kept with the messages' notification jobs so webhook
    // deliveries can name it (X-Request-ID); opaque here.
    std::string traceId = {};
};

// Why storage refused a post that the api layer could not check on its own
// (it depends on the queue's metadata, which only the script reads).
// NeedsSealing: the queue has _enable_encrypt_messages and a body was not sealed; nothing
// was stored (the encrypting layer seals and posts again; the api never sees it).
enum class PostRefusal { None, TooLargeForQueue, InvalidDelay, NeedsSealing };

struct PostResult {
    std::vector<std::string> ids;  // in input order
    PostRefusal refusal = PostRefusal::None;
    int64_t queueMaxPostSize = 0;  // set with TooLargeForQueue, for the error text
};

struct ListRequest {
    QueueRef queue;
    std::string marker;  // opaque; empty = from the head
    int64_t limit = 10;
    bool echo = false;
    std::string clientId;  // normalised; with echo=false its messages are skipped
    bool includeClaimed = false;
    bool includeDelayed = false;
    // Long polling: > 0 when the caller waits this long (ms) if the page is empty; the
    // queue is then marked so that posts wake it (MessageStore::watch).
    int64_t waitMs = 0;
};

struct MessagePage {
    std::vector<Message> messages;
    std::string nextMarker;           // marker to continue after the last message
    bool queueDelaysEnabled = false;  // queue's _default_message_delay is truthy
    // With waitMs and an empty page: ms until a delay or a claim of the queue ends (a
    // message may show then); -1 when none is known.
    int64_t wakeInMs = -1;
};

struct GetMessagesResult {
    bool queueExists = false;
    std::vector<Message> messages;  // found ones, in request order
};

enum class DeleteOutcome {
    Deleted,           // or nothing to delete: 204
    ClaimedNoClaimId,  // 403
    ClaimUnknown,      // 400 "The specified claim does not exist or has expired."
    NotClaimed,        // 400 "A claim was specified, but the message is not currently claimed."
    ClaimedByOther,    // 403
};

struct QueueStats {
    int64_t claimed = 0;
    int64_t free = 0;
    int64_t total = 0;
    std::optional<Message> oldest;
    std::optional<Message> newest;
};

struct QueueInfo {
    std::string name;
    Json metadata;  // stored metadata (no defaults filled in); set when detailed
};

struct QueueListRequest {
    std::string project;
    ResourceKind kind = ResourceKind::Queue;  // which namespace to list
    std::string marker;                       // queue name; exclusive
    int64_t limit = 10;
    bool detailed = false;
    std::string nameContains;                                  // "name" filter; empty = none
    std::vector<std::pair<std::string, Json>> metadataEquals;  // other query params
};

// GET /v2/health's message_volume (Zaqar's MongoDB driver reports it): messages of every
// queue of every project; free = total - claimed.
struct MessageVolume {
    int64_t free = 0;
    int64_t claimed = 0;
    int64_t total = 0;
};

// One pool's line of GET /v2/health with pooling ("" names the virtual pool).
struct PoolHealth {
    std::string name;
    bool reachable = false;
    MessageVolume volume;  // set when reachable
};

// Beyond Zaqar (docs/api.md, "Dead-letter redrive"): messages of `deadLetterQueue` go
// back to `source`, by id or in FIFO order, at most `limit`, paced at `rate` messages/s.
struct RedriveRequest {
    QueueRef source;
    std::string deadLetterQueue;   // a queue of the same project (and kind)
    std::vector<std::string> ids;  // empty: from the head of the dead-letter queue
    std::optional<int64_t> limit;  // absent: all of them
    int64_t rate = 0;              // messages per second; 0: as fast as storage goes
};

struct RedriveResult {
    std::vector<std::string> ids;  // moved, in the order they were taken
};

// One failed notification delivery kept in a queue's dead-letter stream
// (docs/notifications.md): `id` is its stream id, `fields` as the engine wrote them.
struct NotificationDeadLetter {
    std::string id;
    int64_t createdMs = 0;  // when it was recorded (from the stream id)
    std::vector<std::pair<std::string, std::string>> fields;
};

struct NotificationDeadLetterPage {
    std::vector<NotificationDeadLetter> entries;
    std::string nextMarker;  // id of the last entry; empty for an empty page
};

struct ClaimRequest {
    QueueRef queue;
    int64_t ttl = 300;
    int64_t grace = 60;
    int64_t limit = 10;
    int64_t waitMs = 0;  // long polling, as ListRequest::waitMs
};

struct ClaimResult {
    std::string claimId;  // empty when nothing was claimed (204)
    std::vector<Message> messages;
    int64_t wakeInMs = -1;  // as MessagePage::wakeInMs
};

struct ClaimInfo {
    std::string id;
    int64_t ttl = 0;
    int64_t age = 0;
    std::vector<Message> messages;
};

// A subscription as stored (rest-v2.md §7). `options` is the JSON object as posted.
struct Subscription {
    std::string id;
    std::string source;      // queue name
    std::string subscriber;  // URI
    int64_t ttl = 0;
    int64_t age = 0;  // seconds since creation or last TTL change
    Json options;     // object
    bool confirmed = false;
    // WebSocket subscribers (websocket-v2.md §5): the connection notified; empty for
    // every other subscriber. Internal, never rendered.
    std::string connectionId;
    // Set when an unconfirmed subscription was confirmed: the id of the last notification
    // job (NotificationJob::id) written before, so jobs up to it carry messages posted
    // while it was unconfirmed. Empty: never confirmed (or before zaqard recorded it).
    // Internal, never rendered.
    std::string confirmedAfter;
};

// Beyond Zaqar: a subscription option (boolean, default false) under which notifications
// posted while the subscription is unconfirmed are held and delivered once it is
// confirmed, instead of skipped (docs/notifications.md). The storage scripts read it too.
inline constexpr const char* kHoldUntilConfirmedOption = "_zaqard_hold_until_confirmed";

struct NewSubscription {
    QueueRef queue;
    std::string subscriber;
    int64_t ttl = 3600;
    Json options;  // object
    std::string connectionId;
};

struct CreatedSubscription {
    std::string id;
    bool created = false;    // false: the subscriber already had a subscription (`id`)
    bool confirmed = false;  // of the existing subscription
};

// PATCH: only the fields present change; `options` is replaced, not merged.
struct SubscriptionChanges {
    std::optional<std::string> subscriber;
    std::optional<int64_t> ttl;
    std::optional<Json> options;
};

struct SubscriptionPage {
    std::vector<Subscription> subscriptions;
    std::string nextMarker;  // id of the last one; empty for an empty page
};

// The signed-URL data the api layer computed for a (un)subscribe confirmation; the
// notification engine turns it into the payload/e-mail (notifications.md §3).
struct ConfirmationRequest {
    bool unsubscribe = false;
    std::string signature;
    std::string paths;
    std::string expires;
};

// What a notifier shard reads from one queue's notification stream in one call.
struct NotificationJob {
    std::string id;  // stream entry id
    std::vector<std::pair<std::string, std::string>> fields;
};
struct PendingRecord {
    std::string id;      // retry record id
    std::string record;  // the engine's own JSON text
};
struct NotificationBatch {
    std::string tag;  // opaque name of the queue's notification state
    QueueRef queue;
    int64_t nowMs = 0;                        // Redis TIME
    std::vector<NotificationJob> jobs;        // new and reclaimed from dead consumers
    std::vector<PendingRecord> retries;       // due now; leased until nowMs + lease
    std::vector<Subscription> subscriptions;  // live ones (set when there is work)
    Json queueMetadata;                       // object (set when there is work)
};

}  // namespace zaqard::storage
