// SubscriptionStore on Redis: the subscription_* scripts on the queue's tag (keys in
// notification_keys.h). Creating a subscription also records its queue in the
// notifiers' registry.
#pragma once

#include "storage/redis/redis_context.h"
#include "storage/storage.h"

namespace zaqard::storage::redis {

class RedisSubscriptionStore : public SubscriptionStore {
  public:
    explicit RedisSubscriptionStore(RedisContext& context) : context_(context) {}

    void create(const NewSubscription& subscription, Callback<CreatedSubscription> done) override;
    void list(const QueueRef& queue, const std::string& marker, int64_t limit,
              Callback<SubscriptionPage> done) override;
    void get(const QueueRef& queue, const std::string& id, Callback<Subscription> done) override;
    void update(const QueueRef& queue, const std::string& id, const SubscriptionChanges& changes,
                Callback<Unit> done) override;
    void remove(const QueueRef& queue, const std::string& id, Callback<Unit> done) override;
    void confirm(const QueueRef& queue, const std::string& id, bool confirmed,
                 Callback<Unit> done) override;
    void requestConfirmation(const QueueRef& queue, const std::string& id,
                             const ConfirmationRequest& confirmation, Callback<Unit> done) override;
    void purge(const QueueRef& queue, Callback<Unit> done) override;
    void listDeadLetters(const QueueRef& queue, const std::string& marker, int64_t limit,
                         Callback<NotificationDeadLetterPage> done) override;
    void removeDeadLetters(const QueueRef& queue, const std::vector<std::string>& ids,
                           Callback<Unit> done) override;

  private:
    void run(std::string_view script, const QueueRef& queue, std::vector<std::string> args,
             Callback<RedisValue> done);

    RedisContext& context_;
};

// One subscription item of a script reply ({id, subscriber, ttl, age, options, confirmed,
// connection id}).
Subscription decodeSubscription(const RedisValue& item, const std::string& queueName);

}  // namespace zaqard::storage::redis
