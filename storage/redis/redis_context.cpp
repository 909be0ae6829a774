// Shared follow-ups of the Redis stores; see redis_context.h.
#include "storage/redis/redis_context.h"

#include <memory>

#include "src/common/log.h"
#include "storage/redis/key_layout.h"

namespace zaqard::storage::redis {

void RedisContext::runQueueScript(std::string_view name, const std::string& tag,
                                  std::vector<std::string> args, Callback<RedisValue> done) {
    scripts.run(name, queueKeys(tag), std::move(args),
                [this, tag, done = std::move(done)](Result<RedisValue> reply) mutable {
                    if (!reply.ok() || reply.value().at(1).asInt() == 0)
                        return done(std::move(reply));
                    auto answer = std::make_shared<Result<RedisValue>>(std::move(reply));
                    outboxPending(tag,
                                  [answer, done = std::move(done)] { done(std::move(*answer)); });
                });
}

void RedisContext::writeCommand(Command command, ReplyCallback done) {
    const WriteConcern& concern = scripts.writeConcern();
    if (concern.replicas == 0) return redis.command(std::move(command), std::move(done));
    std::vector<Command> commands;
    commands.push_back(std::move(command));
    commands.push_back(concern.waitCommand());
    redis.pipeline(std::move(commands),
                   [concern, done = std::move(done)](Result<std::vector<RedisValue>> replies) {
                       if (!replies.ok()) return done(replies.error());
                       auto& values = replies.value();
                       if (!values[0].isError()) {
                           if (auto shortfall = concern.check(values[1])) return done(*shortfall);
                       }
                       done(std::move(values[0]));
                   });
}

}  // namespace zaqard::storage::redis
