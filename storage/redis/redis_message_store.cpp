// MessageStore on Redis; the semantics live in the scripts named below.
#include "storage/redis/redis_message_store.h"

#include <algorithm>

#include "src/common/uuid.h"
#include "storage/redis/key_layout.h"
#include "storage/redis/message_codec.h"
#include "storage/redis/queue_index.h"

namespace zaqard::storage::redis {

void RedisMessageStore::post(const PostRequest& request, Callback<PostResult> done) {
    std::vector<std::string> ids;
    std::vector<std::string> args{request.clientId, std::to_string(request.bodySize),
                                  std::to_string(context_.defaults.defaultMessageTtl),
                                  std::to_string(context_.defaults.maxMessageDelay),
                                  std::to_string(request.messages.size())};
    args.reserve(args.size() + request.messages.size() * 4);
    for (const auto& message : request.messages) {
        ids.push_back(randomUuid());
        args.push_back(ids.back());
        args.push_back(message.ttl ? std::to_string(*message.ttl) : "");
        args.push_back(message.delay ? std::to_string(*message.delay) : "");
        args.push_back(message.body);
    }
    // "1" + the posting request's id when notifications are on (post.lua), else "0".
    args.push_back(context_.defaults.notifications ? "1" + request.traceId : "0");
    // Idempotency keys (post.lua): the request's, then the messages' only when one has one
    // or when FIFO groups follow (post.lua finds the groups after the message keys).
    args.push_back(request.idempotencyKey);
    bool messageKeys = false;
    for (const auto& message : request.messages)
        if (!message.idempotencyKey.empty()) messageKeys = true;
    bool grouped = std::any_of(request.messages.begin(), request.messages.end(),
                               [](const NewMessage& m) { return !m.group.empty(); });
    if (messageKeys || grouped)
        for (const auto& message : request.messages) args.push_back(message.idempotencyKey);
    if (grouped)
        for (const auto& message : request.messages) args.push_back(message.group);
    std::string tag = queueTag(request.queue);
    context_.runQueueScript("post", tag, std::move(args),
                            [this, tag, ids = std::move(ids),
                             done = std::move(done)](Result<RedisValue> reply) mutable {
                                if (!reply.ok()) return done(reply.error());
                                const RedisValue& value = reply.value();
                                PostResult result;
                                switch (value.at(3).asInt()) {
                                    case 1:
                                        result.refusal = PostRefusal::TooLargeForQueue;
                                        result.queueMaxPostSize = value.at(4).asInt();
                                        break;
                                    case 2:
                                        result.refusal = PostRefusal::InvalidDelay;
                                        break;
                                    case 3:
                                        result.refusal = PostRefusal::NeedsSealing;
                                        break;
                                    default:
                                        result.ids = std::move(ids);
                                        // With a key: the ids it answers (original ones
                                        // for the keys seen before).
                                        if (value.size() > 7 && value.at(7).size() > 0) {
                                            result.ids.clear();
                                            for (size_t i = 0; i < value.at(7).size(); ++i)
                                                result.ids.push_back(value.at(7).at(i).asString());
                                        }
                                }
                                if (value.at(5).asInt() != 0) context_.notificationPending(tag);
                                // A queue created by this post is indexed before the answer,
                                // so a listing that follows it sees the queue; an earlier
                                // creation left halfway is finished in the background.
                                std::string intent = value.at(6).asString();
                                if (intent.empty()) return done(std::move(result));
                                if (value.at(2).asInt() == 0) {
                                    indexQueue(context_, tag, intent, [](bool) {});
                                    return done(std::move(result));
                                }
                                indexQueue(context_, tag, intent,
                                           [result = std::move(result), done = std::move(done)](
                                               bool) mutable { done(std::move(result)); });
                            });
}

void RedisMessageStore::list(const ListRequest& request, Callback<MessagePage> done) {
    context_.runQueueScript(
        "list", queueTag(request.queue),
        {request.marker, std::to_string(request.limit), request.echo ? "1" : "0", request.clientId,
         request.includeClaimed ? "1" : "0", request.includeDelayed ? "1" : "0",
         std::to_string(request.waitMs)},
        [done = std::move(done)](Result<RedisValue> reply) {
            if (!reply.ok()) return done(reply.error());
            const RedisValue& value = reply.value();
            MessagePage page;
            page.queueDelaysEnabled = value.at(2).asInt() != 0;
            page.nextMarker = value.at(3).asString();
            page.messages = decodeMessages(value, 4, replyNow(value));
            page.wakeInMs = wakeInMs(value, 4);
            done(std::move(page));
        });
}

std::unique_ptr<PubSubListener> RedisMessageStore::watch(const QueueRef& queue,
                                                         std::function<void()> onWake) {
    // The wake-up carries no data: every message (and every confirmation) is "look again".
    return pubsub_.listen(
        wakeChannel(queueTag(queue)), [onWake](std::string_view) { onWake(); }, onWake);
}

void RedisMessageStore::get(const QueueRef& queue, const std::vector<std::string>& ids,
                            Callback<GetMessagesResult> done) {
    context_.runQueueScript("get", queueTag(queue), ids,
                            [done = std::move(done)](Result<RedisValue> reply) {
                                if (!reply.ok()) return done(reply.error());
                                const RedisValue& value = reply.value();
                                GetMessagesResult result;
                                result.queueExists = value.at(2).asInt() != 0;
                                result.messages = decodeMessages(value, 3, replyNow(value));
                                done(std::move(result));
                            });
}

void RedisMessageStore::removeIds(const QueueRef& queue, const std::vector<std::string>& ids,
                                  const std::vector<std::string>& claimIds, Callback<Unit> done) {
    std::vector<std::string> args{std::to_string(ids.size())};
    args.insert(args.end(), ids.begin(), ids.end());
    args.insert(args.end(), claimIds.begin(), claimIds.end());
    context_.runQueueScript(
        "remove_many", queueTag(queue), std::move(args),
        [done = std::move(done)](Result<RedisValue> reply) {
            if (!reply.ok()) return done(reply.error());
            if (reply.value().at(2).asInt() == 0)
                return done(
                    Error{ErrorKind::Forbidden, "A message is not claimed by the given claims."});
            done(Unit{});
        });
}

void RedisMessageStore::removeMany(const QueueRef& queue, const std::vector<std::string>& ids,
                                   Callback<Unit> done) {
    removeIds(queue, ids, {}, std::move(done));
}

void RedisMessageStore::removeManyClaimed(const QueueRef& queue,
                                          const std::vector<std::string>& ids,
                                          const std::vector<std::string>& claimIds,
                                          Callback<Unit> done) {
    // An empty claim list must still check (and refuse claimed messages): pass a claim id
    // no message can hold.
    std::vector<std::string> claims = claimIds;
    if (claims.empty()) claims.push_back("");
    removeIds(queue, ids, claims, std::move(done));
}

void RedisMessageStore::remove(const QueueRef& queue, const std::string& id,
                               const std::optional<std::string>& claimId,
                               Callback<DeleteOutcome> done) {
    // Claim ids are UUIDs; anything else names no claim (rest-v2.md §5.7), which the
    // script reports once it knows the message exists.
    std::string mode = "0";
    std::string claim;
    if (claimId) {
        auto normalized = normalizeUuid(*claimId);
        mode = normalized ? "1" : "2";
        if (normalized) claim = *normalized;
    }
    context_.runQueueScript("remove", queueTag(queue), {id, mode, claim},
                            [done = std::move(done)](Result<RedisValue> reply) {
                                if (!reply.ok()) return done(reply.error());
                                switch (reply.value().at(2).asInt()) {
                                    case 1:
                                        return done(DeleteOutcome::ClaimedNoClaimId);
                                    case 2:
                                        return done(DeleteOutcome::ClaimUnknown);
                                    case 3:
                                        return done(DeleteOutcome::NotClaimed);
                                    case 4:
                                        return done(DeleteOutcome::ClaimedByOther);
                                    default:
                                        return done(DeleteOutcome::Deleted);
                                }
                            });
}

void RedisMessageStore::pop(const QueueRef& queue, int64_t count,
                            Callback<std::vector<Message>> done) {
    context_.runQueueScript("pop", queueTag(queue), {std::to_string(count)},
                            [done = std::move(done)](Result<RedisValue> reply) {
                                if (!reply.ok()) return done(reply.error());
                                done(decodeMessages(reply.value(), 2, replyNow(reply.value())));
                            });
}

void RedisMessageStore::redrive(const RedriveRequest& request, Callback<RedriveResult> done) {
    redriver_.start(request, std::move(done));
}

}  // namespace zaqard::storage::redis
