// Queue index bookkeeping across slots; see queue_index.h.
#include "storage/redis/queue_index.h"

#include <memory>

#include "src/common/log.h"
#include "storage/redis/key_layout.h"

namespace zaqard::storage::redis {

namespace {

bool failed(const Result<RedisValue>& reply) {
    return !reply.ok() || reply.value().isError();
}

// Sends independent single-key commands (each may go to another node later) and calls
// done(all succeeded) once every reply is in.
void sendAll(RedisContext& context, const std::vector<Command>& commands,
             std::function<void(bool)> done) {
    auto remaining = std::make_shared<size_t>(commands.size());
    auto ok = std::make_shared<bool>(true);
    auto shared = std::make_shared<std::function<void(bool)>>(std::move(done));
    for (const auto& command : commands) {
        context.redis.command(command, [remaining, ok, shared](Result<RedisValue> reply) {
            if (failed(reply)) *ok = false;
            if (--*remaining == 0) (*shared)(*ok);
        });
    }
}

std::vector<Command> entryWrites(const std::string& tag) {
    return {{"ZADD", projectIndexKeyOfTag(tag), "0", queueNameOfTag(tag)},
            {"SADD", registryKeyOfTag(tag), tag}};
}

}  // namespace

void indexQueue(RedisContext& context, const std::string& tag, const std::string& token,
                std::function<void(bool)> done) {
    sendAll(context, entryWrites(tag), [&context, tag, token, done = std::move(done)](bool ok) {
        if (!ok) {
            log::warning("redis: could not index a queue; its next script call retries");
            return done(false);
        }
        context.runQueueScript("queue_indexed", tag, {token}, [](Result<RedisValue>) {});
        done(true);
    });
}

void unindexQueue(RedisContext& context, const std::string& tag, std::function<void(bool)> done) {
    sendAll(context,
            {{"ZREM", projectIndexKeyOfTag(tag), queueNameOfTag(tag)},
             {"SREM", registryKeyOfTag(tag), tag},
             {"SREM", legacyRegistryKey(), tag}},
            std::move(done));
}

void dropStaleQueueEntry(RedisContext& context, const std::string& tag,
                         std::function<void()> done) {
    unindexQueue(context, tag, [&context, tag, done = std::move(done)](bool ok) {
        if (!ok) return done();
        context.redis.command({"EXISTS", queueHashKey(tag)},
                              [&context, tag, done](Result<RedisValue> reply) {
                                  // In doubt (no answer), the entries go back: an extra entry
                                  // is harmless and found again, a missing one is not.
                                  if (!failed(reply) && reply.value().asInt() == 0) return done();
                                  sendAll(context, entryWrites(tag), [done](bool) { done(); });
                              });
    });
}

}  // namespace zaqard::storage::redis
