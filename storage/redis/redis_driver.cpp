// RedisDriver: wires the client, scripts, stores, dead-letter mover and sweeper of one
// shard together.
#include "storage/redis/redis_driver.h"

#include <cstdlib>

#include "src/common/log.h"
#include "storage/redis/client/client_factory.h"
#include "storage/redis/client/coalescing_client.h"
#include "storage/redis/dead_letter_mover.h"
#include "storage/redis/expiry_sweeper.h"
#include "storage/redis/redis_claim_store.h"
#include "storage/redis/redis_health_store.h"
#include "storage/redis/redis_message_store.h"
#include "storage/redis/redis_notification_store.h"
#include "storage/redis/redis_pubsub.h"
#include "storage/redis/redis_queue_store.h"
#include "storage/redis/redis_subscription_store.h"

namespace zaqard::storage::redis {

namespace {
std::unique_ptr<RedisClient> clientFor(event::Dispatcher& dispatcher, const config::RedisUri& uri,
                                       const RedisDriverOptions& options) {
    std::string error;
    auto client =
        makeClient(dispatcher, uri, ClientOptions{options.timeout, options.metricsStore}, error);
    if (!client) {
        // runServer checks clientSupports() before any shard is built.
        log::error("redis: " + error);
        std::abort();
    }
    if (!options.coalesce) return client;
    return std::make_unique<CoalescingClient>(dispatcher, std::move(client),
                                              ScriptRunner::batchTarget);
}
}  // namespace

class RedisDriver::Impl {
  public:
    Impl(event::Dispatcher& dispatcher, const config::RedisUri& uri,
         const RedisDriverOptions& options)
        : client(clientFor(dispatcher, uri, options)),
          scripts(*client, options.writeConcern),
          context(dispatcher, options.defaults, *client, scripts),
          pubsub(*client),
          queues(context),
          messages(context, pubsub),
          claims(context),
          health(*client),
          subscriptions(context),
          notifications(context),
          deadLetters(context),
          sweeper(context, options.sweepInterval),
          sweep(options.sweep) {
        client->setHandshake([] { return ScriptRunner::loadCommands(); });
        context.setOutboxHandler([this](const std::string& tag, std::function<void()> drained) {
            deadLetters.flush(tag, std::move(drained));
        });
    }

    std::unique_ptr<RedisClient> client;
    ScriptRunner scripts;
    RedisContext context;
    RedisPubSub pubsub;  // before the stores that use it
    RedisQueueStore queues;
    RedisMessageStore messages;
    RedisClaimStore claims;
    RedisHealthStore health;
    RedisSubscriptionStore subscriptions;
    RedisNotificationStore notifications;
    DeadLetterMover deadLetters;
    ExpirySweeper sweeper;
    bool sweep;
};

RedisDriver::RedisDriver(event::Dispatcher& dispatcher, const config::RedisUri& uri,
                         RedisDriverOptions options)
    : impl_(std::make_unique<Impl>(dispatcher, uri, options)) {}

RedisDriver::~RedisDriver() {
    stop();
}

void RedisDriver::start() {
    impl_->client->start();
    if (impl_->sweep) impl_->sweeper.start();
}

void RedisDriver::stop() {
    impl_->sweeper.stop();
    // Pending calls fail now, while every store their callbacks use is still alive.
    impl_->client->stop();
}

bool RedisDriver::ready() const {
    return impl_->client->ready();
}

Storage RedisDriver::storage() {
    return Storage{impl_->queues,        impl_->messages,      impl_->claims, impl_->health,
                   impl_->subscriptions, impl_->notifications, impl_->pubsub};
}

void RedisDriver::setNotificationHandler(std::function<void(const std::string& tag)> handler) {
    impl_->context.setNotificationHandler(std::move(handler));
}

}  // namespace zaqard::storage::redis
