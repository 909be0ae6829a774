// Async storage interfaces, one per resource. Every call answers exactly once through its
// callback, on the calling shard's thread, with a value or an Error (Unavailable -> 503).
// Implementations: storage/redis.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/result.h"
#include "storage/types.h"

namespace zaqard::storage {

namespace pooling {
class ManagementStore;
}

template <typename T>
using Callback = std::function<void(Result<T>)>;

// A live subscription (PubSub::listen, MessageStore::watch); destroying it unsubscribes.
class PubSubListener {
  public:
    virtual ~PubSubListener() = default;
    // Subscribed right now (false while reconnecting: messages are missed then).
    virtual bool active() const = 0;
};

class QueueStore {
  public:
    virtual ~QueueStore() = default;
    // Creates the queue with `metadata` (a JSON object) unless it exists; answers whether
    // it was created. An existing queue's metadata is left untouched.
    virtual void create(const QueueRef& queue, Json metadata, Callback<bool> done) = 0;
    // Stored metadata, or nullopt when the queue does not exist.
    virtual void getMetadata(const QueueRef& queue, Callback<std::optional<Json>> done) = 0;
    // Replaces the metadata of an existing queue; NotFound when it does not exist.
    virtual void setMetadata(const QueueRef& queue, Json metadata, Callback<Unit> done) = 0;
    // Removes the queue, its messages and claims. Succeeds for unknown queues.
    virtual void remove(const QueueRef& queue, Callback<Unit> done) = 0;
    virtual void list(const QueueListRequest& request, Callback<std::vector<QueueInfo>> done) = 0;
    virtual void count(const std::string& project, Callback<int64_t> done) = 0;
    virtual void stats(const QueueRef& queue, Callback<QueueStats> done) = 0;
    // Removes every message (claimed and delayed ones too) and the claims.
    // Answers how many live messages it removed.
    virtual void purgeMessages(const QueueRef& queue, Callback<int64_t> done) = 0;
};

class MessageStore {
  public:
    virtual ~MessageStore() = default;
    // Creates the queue when missing (Zaqar's lazy queues), then stores the messages.
    virtual void post(const PostRequest& request, Callback<PostResult> done) = 0;
    virtual void list(const ListRequest& request, Callback<MessagePage> done) = 0;
    // By ids (claimed and delayed included); missing/expired ids are skipped.
    virtual void get(const QueueRef& queue, const std::vector<std::string>& ids,
                     Callback<GetMessagesResult> done) = 0;
    // Bulk delete without claim checks (ids not in the queue are ignored).
    virtual void removeMany(const QueueRef& queue, const std::vector<std::string>& ids,
                            Callback<Unit> done) = 0;
    // Bulk delete where every existing message must be held by one of `claimIds`;
    // otherwise nothing is deleted and Forbidden is answered.
    virtual void removeManyClaimed(const QueueRef& queue, const std::vector<std::string>& ids,
                                   const std::vector<std::string>& claimIds,
                                   Callback<Unit> done) = 0;
    virtual void remove(const QueueRef& queue, const std::string& id,
                        const std::optional<std::string>& claimId,
                        Callback<DeleteOutcome> done) = 0;
    // Removes and returns up to `count` claimable messages from the head.
    virtual void pop(const QueueRef& queue, int64_t count, Callback<std::vector<Message>> done) = 0;

    // Long polling: `onWake` runs on this shard's thread whenever messages of the queue may
    // have become available in any process (a post, a claim released, while a list or
    // claim with `waitMs` has marked the queue), and each time the watch becomes active
    // (subscribed; after a reconnect, wake-ups sent meanwhile were missed), until the
    // returned object is destroyed. Null: this store cannot wake anybody.
    virtual std::unique_ptr<PubSubListener> watch(const QueueRef& queue,
                                                  std::function<void()> onWake) {
        (void)queue;
        (void)onWake;
        return nullptr;
    }
    // Moves messages of request.deadLetterQueue back to request.source; answers once they
    // were moved (docs/api.md, "Dead-letter redrive").
    virtual void redrive(const RedriveRequest& request, Callback<RedriveResult> done) = 0;
};

class ClaimStore {
  public:
    virtual ~ClaimStore() = default;
    virtual void create(const ClaimRequest& request, Callback<ClaimResult> done) = 0;
    // NotFound for unknown or expired claims.
    virtual void get(const QueueRef& queue, const std::string& claimId,
                     Callback<ClaimInfo> done) = 0;
    virtual void renew(const QueueRef& queue, const std::string& claimId, int64_t ttl,
                       int64_t grace, Callback<Unit> done) = 0;
    // Succeeds for unknown ids too.
    virtual void release(const QueueRef& queue, const std::string& claimId,
                         Callback<Unit> done) = 0;
};

class HealthStore {
  public:
    virtual ~HealthStore() = default;
    virtual void ping(Callback<Unit> done) = 0;
    // Live (unexpired) messages over all queues, and how many of them are claimed.
    virtual void messageVolume(Callback<MessageVolume> done) = 0;
    // With pooling: each pool's reachability and message volume (GET /v2/health, as
    // Zaqar's pooled health reports them). Empty without pooling.
    virtual void poolHealth(Callback<std::vector<PoolHealth>> done) {
        done(std::vector<PoolHealth>{});
    }
};

class SubscriptionStore {
  public:
    virtual ~SubscriptionStore() = default;
    // Unique per (queue, subscriber): an existing one is answered with created = false.
    virtual void create(const NewSubscription& subscription,
                        Callback<CreatedSubscription> done) = 0;
    virtual void list(const QueueRef& queue, const std::string& marker, int64_t limit,
                      Callback<SubscriptionPage> done) = 0;
    // NotFound for unknown or expired ids.
    virtual void get(const QueueRef& queue, const std::string& id, Callback<Subscription> done) = 0;
    // NotFound, or Conflict when the new subscriber is another subscription's.
    virtual void update(const QueueRef& queue, const std::string& id,
                        const SubscriptionChanges& changes, Callback<Unit> done) = 0;
    // Succeeds for unknown ids too.
    virtual void remove(const QueueRef& queue, const std::string& id, Callback<Unit> done) = 0;
    // Sets the confirmed flag (NotFound for unknown ids). Confirming an unconfirmed
    // subscription records Subscription::confirmedAfter, and releases the deliveries held
    // meanwhile if it has kHoldUntilConfirmedOption (drops them otherwise).
    virtual void confirm(const QueueRef& queue, const std::string& id, bool confirmed,
                         Callback<Unit> done) = 0;
    // Queues a confirmation for the notification engine (durably, like a delivery).
    virtual void requestConfirmation(const QueueRef& queue, const std::string& id,
                                     const ConfirmationRequest& confirmation,
                                     Callback<Unit> done) = 0;
    // Removes every subscription of the queue.
    virtual void purge(const QueueRef& queue, Callback<Unit> done) = 0;
    // The queue's notification dead letters (deliveries given up), oldest first, after the
    // entry `marker` ("" = from the start).
    virtual void listDeadLetters(const QueueRef& queue, const std::string& marker, int64_t limit,
                                 Callback<NotificationDeadLetterPage> done) = 0;
    // Drops the entries `ids` (ids that are not there are ignored), or all when empty.
    virtual void removeDeadLetters(const QueueRef& queue, const std::vector<std::string>& ids,
                                   Callback<Unit> done) = 0;
};

// The durable side of notification delivery, used by the notification engine only:
// per-queue job streams read by a consumer group, persisted retries, held deliveries of
// unconfirmed subscriptions and a dead-letter stream (docs/notifications.md).
class NotificationStore {
  public:
    virtual ~NotificationStore() = default;
    // The queues whose notification state must be read (written when subscriptions
    // change, never on the post path).
    virtual void registry(Callback<std::vector<std::string>> done) = 0;
    // New jobs, jobs of consumers idle for `claimIdleMs` (dead ones), and retries due now
    // (leased for `leaseMs`), at most `count` of each.
    virtual void fetch(const std::string& tag, const std::string& consumer, int64_t count,
                       int64_t claimIdleMs, int64_t leaseMs, Callback<NotificationBatch> done) = 0;
    // The job is fully handled (every delivery succeeded or was recorded).
    virtual void ack(const std::string& tag, const std::string& jobId, Callback<Unit> done) = 0;
    // Stores (or replaces) a retry record due at `dueMs`.
    virtual void scheduleRetry(const std::string& tag, const std::string& recordId,
                               const std::string& record, int64_t dueMs, Callback<Unit> done) = 0;
    // Forgets a retry record (delivered, its subscription is gone, or it must be skipped).
    virtual void finishRetry(const std::string& tag, const std::string& recordId,
                             Callback<Unit> done) = 0;
    // Keeps a delivery for an unconfirmed subscription with kHoldUntilConfirmedOption
    // until it is confirmed or `expiresMs` (the message's expiry) passes.
    virtual void hold(const std::string& tag, const std::string& subscriptionId,
                      const std::string& recordId, const std::string& record, int64_t expiresMs,
                      Callback<Unit> done) = 0;
    // Appends to the queue's dead-letter stream and forgets the retry record (if any).
    virtual void deadLetter(const std::string& tag, const std::string& recordId,
                            const std::vector<std::pair<std::string, std::string>>& entry,
                            Callback<Unit> done) = 0;
};

// Messages between processes through the storage's publish/subscribe (the WebSocket push
// channel: a notification for a connection another process holds). Nothing is stored: a
// listener that is not subscribed when a message is published misses it.
class PubSub {
  public:
    using Listener = PubSubListener;
    using OnMessage = std::function<void(std::string_view message)>;

    virtual ~PubSub() = default;
    // Listens on `channel` until the returned object is destroyed, subscribing again after
    // every reconnect. `onMessage` runs on this shard's thread; `onActive` (optional) each
    // time the subscription is confirmed (first, and after every reconnect); a listener
    // whose channel was already confirmed is active() at once, without a call.
    virtual std::unique_ptr<Listener> listen(const std::string& channel, OnMessage onMessage,
                                             std::function<void()> onActive = nullptr) = 0;
    // Answers how many listeners received the message.
    virtual void publish(const std::string& channel, std::string message,
                         Callback<int64_t> done) = 0;
};

// The stores of one shard. The api layer holds references; the shard owns the driver.
struct Storage {
    QueueStore& queues;
    MessageStore& messages;
    ClaimStore& claims;
    HealthStore& health;
    SubscriptionStore& subscriptions;
    NotificationStore& notifications;
    PubSub& pubsub;
    // Pools, flavors and the catalog (rest-v2.md §9); null unless [DEFAULT] pooling.
    pooling::ManagementStore* management = nullptr;
};

}  // namespace zaqard::storage
