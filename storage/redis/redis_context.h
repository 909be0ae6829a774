// What every Redis store of a shard shares: the connection, the script runner, and the
// follow-ups a script can ask for (draining the dead-letter outbox, reading notification
// jobs). Indexing a created queue is queue_index.h.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "src/config/config.h"
#include "src/event/dispatcher.h"
#include "storage/redis/redis_connection.h"
#include "storage/redis/script_runner.h"

namespace zaqard::storage::redis {

class RedisContext {
  public:
    RedisContext(event::Dispatcher& dispatcher, const config::Config& config,
                 RedisConnection& connection, ScriptRunner& scripts)
        : dispatcher(dispatcher), config(config), connection(connection), scripts(scripts) {}

    // Runs a script on the queue with tag `tag`. Every queue script answers
    // {now ms, outbox size, ...}; a non-empty outbox starts the dead-letter mover.
    void runQueueScript(std::string_view name, const std::string& tag,
                        std::vector<std::string> args, Callback<RedisValue> done);

    void setOutboxHandler(std::function<void(const std::string& tag)> handler) {
        outboxHandler_ = std::move(handler);
    }
    void outboxPending(const std::string& tag) {
        if (outboxHandler_) outboxHandler_(tag);
    }

    // Notification jobs were recorded for the queue `tag` (a post to a subscribed queue,
    // a confirmation): the shard's notification engine reads them without waiting for
    // its poll.
    void setNotificationHandler(std::function<void(const std::string& tag)> handler) {
        notificationHandler_ = std::move(handler);
    }
    void notificationPending(const std::string& tag) {
        if (notificationHandler_) notificationHandler_(tag);
    }

    event::Dispatcher& dispatcher;
    const config::Config& config;
    RedisConnection& connection;
    ScriptRunner& scripts;

  private:
    std::function<void(const std::string& tag)> outboxHandler_;
    std::function<void(const std::string& tag)> notificationHandler_;
};

// Script replies start with Redis TIME in ms and the outbox size.
inline int64_t replyNow(const RedisValue& reply) {
    return reply.at(0).asInt();
}

}  // namespace zaqard::storage::redis
