// Shared follow-ups of the Redis stores; see redis_context.h.
#include "storage/redis/redis_context.h"

#include <memory>

#include "src/common/log.h"
#include "storage/redis/key_layout.h"

namespace zaqard::storage::redis {

void RedisContext::runQueueScript(std::string_view name, const std::string& tag,
                                  std::vector<std::string> args, Callback<RedisValue> done) {
    scripts.run(name, queueKeys(tag), std::move(args),
                [this, tag, done = std::move(done)](Result<RedisValue> reply) {
                    if (reply.ok() && reply.value().at(1).asInt() > 0) outboxPending(tag);
                    done(std::move(reply));
                });
}

void RedisContext::indexQueue(const std::string& tag, std::function<void()> done) {
    // Pipelined: both leave together; the second reply means both were processed.
    connection.command({"ZADD", projectIndexKeyOfTag(tag), "0", queueNameOfTag(tag)},
                       [](Result<RedisValue> reply) {
                           if (!reply.ok() || reply.value().isError())
                               log::warning("redis: could not index a new queue");
                       });
    connection.command({"SADD", registryKey(), tag},
                       [done = std::move(done)](Result<RedisValue>) { done(); });
}

}  // namespace zaqard::storage::redis
