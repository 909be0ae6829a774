// ClaimStore on Redis; the semantics live in the claim_*.lua scripts.
#include "storage/redis/redis_claim_store.h"

#include "src/common/uuid.h"
#include "storage/redis/key_layout.h"
#include "storage/redis/message_codec.h"

namespace zaqard::storage::redis {

namespace {
Error claimNotFound() {
    return Error{ErrorKind::NotFound, "claim not found"};
}

// A malformed id names no claim, but while Redis is away the client gets the 503 it would
// get for a well-formed id (Zaqar consults storage first; its tests check this).
template <typename T>
void answerMalformedId(RedisContext& context, Callback<T> done, Result<T> answer) {
    bool up = context.redis.ready();
    context.dispatcher.defer([done = std::move(done), answer = std::move(answer), up]() mutable {
        if (!up) return done(Error{ErrorKind::Unavailable, "redis: not connected"});
        done(std::move(answer));
    });
}
}  // namespace

void RedisClaimStore::create(const ClaimRequest& request, Callback<ClaimResult> done) {
    std::string claimId = randomUuid();
    context_.runQueueScript("claim_create", queueTag(request.queue),
                            {claimId, std::to_string(request.ttl), std::to_string(request.grace),
                             std::to_string(request.limit), std::to_string(request.waitMs)},
                            [claimId, done = std::move(done)](Result<RedisValue> reply) {
                                if (!reply.ok()) return done(reply.error());
                                ClaimResult result;
                                result.messages =
                                    decodeMessages(reply.value(), 2, replyNow(reply.value()));
                                result.wakeInMs = wakeInMs(reply.value(), 2);
                                if (!result.messages.empty()) result.claimId = claimId;
                                done(std::move(result));
                            });
}

void RedisClaimStore::get(const QueueRef& queue, const std::string& claimId,
                          Callback<ClaimInfo> done) {
    auto id = normalizeUuid(claimId);
    if (!id) return answerMalformedId(context_, std::move(done), {claimNotFound()});
    context_.runQueueScript("claim_get", queueTag(queue), {*id},
                            [id = *id, done = std::move(done)](Result<RedisValue> reply) {
                                if (!reply.ok()) return done(reply.error());
                                const RedisValue& value = reply.value();
                                if (value.at(2).asInt() == 0) return done(claimNotFound());
                                int64_t now = replyNow(value);
                                ClaimInfo info;
                                info.id = id;
                                info.ttl = value.at(3).asInt();
                                info.age = std::max<int64_t>(0, (now - value.at(4).asInt()) / 1000);
                                info.messages = decodeMessages(value, 5, now);
                                done(std::move(info));
                            });
}

void RedisClaimStore::renew(const QueueRef& queue, const std::string& claimId, int64_t ttl,
                            int64_t grace, Callback<Unit> done) {
    auto id = normalizeUuid(claimId);
    if (!id) return answerMalformedId(context_, std::move(done), {claimNotFound()});
    context_.runQueueScript("claim_renew", queueTag(queue),
                            {*id, std::to_string(ttl), std::to_string(grace)},
                            [done = std::move(done)](Result<RedisValue> reply) {
                                if (!reply.ok()) return done(reply.error());
                                if (reply.value().at(2).asInt() == 0) return done(claimNotFound());
                                done(Unit{});
                            });
}

void RedisClaimStore::release(const QueueRef& queue, const std::string& claimId,
                              Callback<Unit> done) {
    auto id = normalizeUuid(claimId);
    if (!id) return answerMalformedId(context_, std::move(done), {Unit{}});
    context_.runQueueScript("claim_release", queueTag(queue), {*id},
                            [done = std::move(done)](Result<RedisValue> reply) {
                                if (!reply.ok()) return done(reply.error());
                                done(Unit{});
                            });
}

}  // namespace zaqard::storage::redis
