// RedisDriver: wires the connection, scripts, stores, dead-letter mover and sweeper of
// one shard together.
#include "storage/redis/redis_driver.h"

#include <chrono>

#include "storage/redis/dead_letter_mover.h"
#include "storage/redis/expiry_sweeper.h"
#include "storage/redis/redis_claim_store.h"
#include "storage/redis/redis_connection.h"
#include "storage/redis/redis_context.h"
#include "storage/redis/redis_health_store.h"
#include "storage/redis/redis_message_store.h"
#include "storage/redis/redis_notification_store.h"
#include "storage/redis/redis_queue_store.h"
#include "storage/redis/redis_subscription_store.h"
#include "storage/redis/script_runner.h"

namespace zaqard::storage::redis {

namespace {
std::chrono::milliseconds millis(double seconds, int64_t fallback) {
    auto ms = static_cast<int64_t>(seconds * 1000);
    return std::chrono::milliseconds(ms > 0 ? ms : fallback);
}
}  // namespace

class RedisDriver::Impl {
  public:
    Impl(event::Dispatcher& dispatcher, const config::Config& config, bool sweep)
        : connection(dispatcher, config.message_store_redis, millis(config.redis_timeout, 2000)),
          scripts(connection),
          context(dispatcher, config, connection, scripts),
          queues(context),
          messages(context),
          claims(context),
          health(connection),
          subscriptions(context),
          notifications(context),
          deadLetters(context),
          sweeper(context, millis(config.sweep_interval, 1000)),
          sweep(sweep) {
        connection.setHandshake([] { return ScriptRunner::loadCommands(); });
        context.setOutboxHandler([this](const std::string& tag) { deadLetters.flush(tag); });
    }

    RedisConnection connection;
    ScriptRunner scripts;
    RedisContext context;
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

RedisDriver::RedisDriver(event::Dispatcher& dispatcher, const config::Config& config, bool sweep)
    : impl_(std::make_unique<Impl>(dispatcher, config, sweep)) {}

RedisDriver::~RedisDriver() {
    stop();
}

void RedisDriver::start() {
    impl_->connection.start();
    if (impl_->sweep) impl_->sweeper.start();
}

void RedisDriver::stop() {
    impl_->sweeper.stop();
    // Pending calls fail now, while every store their callbacks use is still alive.
    impl_->connection.stop();
}

bool RedisDriver::ready() const {
    return impl_->connection.ready();
}

Storage RedisDriver::storage() {
    return Storage{impl_->queues, impl_->messages,      impl_->claims,
                   impl_->health, impl_->subscriptions, impl_->notifications};
}

void RedisDriver::setNotificationHandler(std::function<void(const std::string& tag)> handler) {
    impl_->context.setNotificationHandler(std::move(handler));
}

}  // namespace zaqard::storage::redis
