// What every Redis store of a shard shares: the client, the script runner, the values
// the stores need from the configuration, and the follow-ups a script can ask for
// (draining the dead-letter outbox, reading notification jobs). Indexing a created queue
// is queue_index.h.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "src/event/dispatcher.h"
#include "storage/redis/client/redis_client.h"
#include "storage/redis/script_runner.h"

namespace zaqard::storage::redis {

// The configuration values the stores use, passed as values (a pool can carry its own).
struct StoreDefaults {
    int64_t defaultMessageTtl = 3600;  // [transport] default_message_ttl
    int64_t maxMessageDelay = 900;     // [transport] max_message_delay
    bool notifications = false;        // [storage] message_pipeline has the notifier
};

class RedisContext {
  public:
    RedisContext(event::Dispatcher& dispatcher, StoreDefaults defaults, RedisClient& redis,
                 ScriptRunner& scripts)
        : dispatcher(dispatcher), defaults(defaults), redis(redis), scripts(scripts) {}

    // Runs a script on the queue with tag `tag`. Every queue script answers
    // {now ms, outbox size, ...}; a non-empty outbox starts the dead-letter mover, and the
    // answer waits until it drained: a client that saw its claim answered finds the
    // dead-lettered messages in the dead-letter queue (as in Zaqar, where the claim moves
    // them itself).
    void runQueueScript(std::string_view name, const std::string& tag,
                        std::vector<std::string> args, Callback<RedisValue> done);

    // A plain command whose change the client is told about: with a write concern it is
    // pipelined with WAIT (both over the node's write connection: WAIT counts the offset
    // of the connection that wrote), and answers Unavailable when too few replicas confirm.
    void writeCommand(Command command, ReplyCallback done);

    // The dead-letter mover: drains the outbox of `tag`, then calls `drained` (also when
    // the drain stopped on an error: the entries stay in the outbox for the sweeper).
    using OutboxHandler =
        std::function<void(const std::string& tag, std::function<void()> drained)>;
    void setOutboxHandler(OutboxHandler handler) { outboxHandler_ = std::move(handler); }
    void outboxPending(const std::string& tag, std::function<void()> drained = {}) {
        if (outboxHandler_) return outboxHandler_(tag, std::move(drained));
        if (drained) drained();
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
    const StoreDefaults defaults;
    RedisClient& redis;
    ScriptRunner& scripts;

  private:
    OutboxHandler outboxHandler_;
    std::function<void(const std::string& tag)> notificationHandler_;
};

// Script replies start with Redis TIME in ms and the outbox size.
inline int64_t replyNow(const RedisValue& reply) {
    return reply.at(0).asInt();
}

}  // namespace zaqard::storage::redis
