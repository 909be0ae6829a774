// NotificationStore on Redis; see notify_fetch.lua and notify_settle.lua.
#include "storage/redis/redis_notification_store.h"

#include <memory>
#include <optional>
#include <set>

#include "storage/redis/key_layout.h"
#include "storage/redis/notification_keys.h"
#include "storage/redis/redis_subscription_store.h"

namespace zaqard::storage::redis {

// Every bucket (one SMEMBERS each: the buckets may live on different masters) and the
// pre-bucket z:nreg, whose entries move into their buckets (added there first; a crash
// in between leaves a tag in both, which the union hides).
void RedisNotificationStore::registry(Callback<std::vector<std::string>> done) {
    struct Gathered {
        std::set<std::string> tags;
        std::vector<std::string> legacy;
        size_t remaining = kRegistryBuckets + 1;
        std::optional<Error> error;
        Callback<std::vector<std::string>> done;
    };
    auto gathered = std::make_shared<Gathered>();
    gathered->done = std::move(done);
    RedisContext& context = context_;
    auto collect = [gathered, &context](bool legacy, Result<RedisValue> reply) {
        if (!reply.ok())
            gathered->error = reply.error();
        else if (reply.value().isError())
            gathered->error = Error{ErrorKind::Unavailable, reply.value().str};
        else
            for (const auto& element : reply.value().elements) {
                gathered->tags.insert(element.asString());
                if (legacy) gathered->legacy.push_back(element.asString());
            }
        if (--gathered->remaining > 0) return;
        if (gathered->error) return gathered->done(*gathered->error);
        for (const auto& tag : gathered->legacy) {
            context.redis.command(
                {"SADD", notificationRegistryKey(tag), tag}, [&context, tag](Result<RedisValue> r) {
                    if (!r.ok() || r.value().isError()) return;
                    context.redis.command({"SREM", legacyNotificationRegistryKey(), tag},
                                          [](Result<RedisValue>) {});
                });
        }
        gathered->done(std::vector<std::string>(gathered->tags.begin(), gathered->tags.end()));
    };
    for (int bucket = 0; bucket < kRegistryBuckets; ++bucket)
        context_.redis.command(
            {"SMEMBERS", notificationRegistryBucketKey(bucket)},
            [collect](Result<RedisValue> reply) { collect(false, std::move(reply)); });
    context_.redis.command(
        {"SMEMBERS", legacyNotificationRegistryKey()},
        [collect](Result<RedisValue> reply) { collect(true, std::move(reply)); });
}

void RedisNotificationStore::fetch(const std::string& tag, const std::string& consumer,
                                   int64_t count, int64_t claimIdleMs, int64_t leaseMs,
                                   Callback<NotificationBatch> done) {
    context_.scripts.run(
        "notify_fetch", subscriptionKeys(tag),
        {kNotifierGroup, consumer, std::to_string(count), std::to_string(claimIdleMs),
         std::to_string(leaseMs)},
        [this, tag, done = std::move(done)](Result<RedisValue> reply) {
            if (!reply.ok()) return done(reply.error());
            const RedisValue& value = reply.value();
            if (value.at(1).asInt() > 0) context_.outboxPending(tag);
            NotificationBatch batch;
            batch.tag = tag;
            batch.queue = queueOfTag(tag);
            batch.nowMs = value.at(0).asInt();
            for (const auto& entry : value.at(2).elements) {
                NotificationJob job;
                job.id = entry.at(0).asString();
                const RedisValue& fields = entry.at(1);
                for (size_t i = 0; i + 1 < fields.size(); i += 2)
                    job.fields.emplace_back(fields.at(i).asString(), fields.at(i + 1).asString());
                batch.jobs.push_back(std::move(job));
            }
            const RedisValue& retries = value.at(3);
            for (size_t i = 0; i + 1 < retries.size(); i += 2)
                batch.retries.push_back({retries.at(i).asString(), retries.at(i + 1).asString()});
            for (const auto& item : value.at(4).elements)
                batch.subscriptions.push_back(decodeSubscription(item, batch.queue.name));
            batch.queueMetadata = parseJsonValue(value.at(5).asString());
            if (!batch.queueMetadata || !json_is_object(batch.queueMetadata.get()))
                batch.queueMetadata = Json::object();
            done(std::move(batch));
        });
}

void RedisNotificationStore::settle(const std::string& tag, std::vector<std::string> args,
                                    Callback<Unit> done) {
    context_.scripts.run("notify_settle", subscriptionKeys(tag), std::move(args),
                         [done = std::move(done)](Result<RedisValue> reply) {
                             if (!reply.ok()) return done(reply.error());
                             done(Unit{});
                         });
}

void RedisNotificationStore::ack(const std::string& tag, const std::string& jobId,
                                 Callback<Unit> done) {
    settle(tag, {"ack", kNotifierGroup, jobId}, std::move(done));
}

void RedisNotificationStore::scheduleRetry(const std::string& tag, const std::string& recordId,
                                           const std::string& record, int64_t dueMs,
                                           Callback<Unit> done) {
    settle(tag, {"retry", recordId, record, std::to_string(dueMs)}, std::move(done));
}

void RedisNotificationStore::finishRetry(const std::string& tag, const std::string& recordId,
                                         Callback<Unit> done) {
    settle(tag, {"done", recordId}, std::move(done));
}

void RedisNotificationStore::hold(const std::string& tag, const std::string& subscriptionId,
                                  const std::string& recordId, const std::string& record,
                                  int64_t expiresMs, Callback<Unit> done) {
    settle(tag, {"hold", recordId, record, std::to_string(expiresMs), subscriptionId},
           std::move(done));
}

void RedisNotificationStore::deadLetter(
    const std::string& tag, const std::string& recordId,
    const std::vector<std::pair<std::string, std::string>>& entry, Callback<Unit> done) {
    std::vector<std::string> args{"dead", recordId};
    for (const auto& [field, value] : entry) {
        args.push_back(field);
        args.push_back(value);
    }
    if (args.size() == 2) args.insert(args.end(), {"reason", "unknown"});
    settle(tag, std::move(args), std::move(done));
}

}  // namespace zaqard::storage::redis
