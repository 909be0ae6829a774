// Shared follow-ups of the Redis stores; see redis_context.h.
#include "storage/redis/redis_context.h"

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

}  // namespace zaqard::storage::redis
