// SubscriptionStore on Redis; the semantics live in subscription_create/read/write.lua.
#include "storage/redis/redis_subscription_store.h"

#include <cstdlib>

#include "src/common/log.h"
#include "src/common/uuid.h"
#include "storage/redis/key_layout.h"
#include "storage/redis/notification_keys.h"

namespace zaqard::storage::redis {

namespace {

std::string optionsText(const Json& options) {
    return options && json_is_object(options.get()) ? options.dump() : std::string("{}");
}

Error subscriptionNotFound(const std::string& id) {
    return Error{ErrorKind::NotFound, "Subscription " + id + " does not exist"};
}

// A stream entry id, "<ms>-<seq>" (what XRANGE and XDEL accept; anything else names no
// dead letter).
bool isStreamId(std::string_view id) {
    auto dash = id.find('-');
    if (dash == std::string_view::npos || dash == 0 || dash + 1 == id.size() || dash > 20 ||
        id.size() - dash - 1 > 20)
        return false;
    for (size_t i = 0; i < id.size(); ++i)
        if (i != dash && (id[i] < '0' || id[i] > '9')) return false;
    return true;
}

Error unavailable(const Result<RedisValue>& reply) {
    if (!reply.ok()) return reply.error();
    return Error{ErrorKind::Unavailable, "redis: " + reply.value().str};
}

}  // namespace

Subscription decodeSubscription(const RedisValue& item, const std::string& queueName) {
    Subscription sub;
    sub.id = item.at(0).asString();
    sub.source = queueName;
    sub.subscriber = item.at(1).asString();
    sub.ttl = item.at(2).asInt();
    sub.age = item.at(3).asInt();
    sub.options = parseJsonValue(item.at(4).asString());
    if (!sub.options || !json_is_object(sub.options.get())) sub.options = Json::object();
    sub.confirmed = item.at(5).asInt() != 0;
    sub.connectionId = item.at(6).asString();
    sub.confirmedAfter = item.at(7).asString();
    return sub;
}

void RedisSubscriptionStore::run(std::string_view script, const QueueRef& queue,
                                 std::vector<std::string> args, Callback<RedisValue> done) {
    std::string tag = queueTag(queue);
    context_.scripts.run(script, subscriptionKeys(tag), std::move(args),
                         [this, tag, done = std::move(done)](Result<RedisValue> reply) {
                             if (reply.ok() && reply.value().at(1).asInt() > 0)
                                 context_.outboxPending(tag);
                             done(std::move(reply));
                         });
}

void RedisSubscriptionStore::create(const NewSubscription& subscription,
                                    Callback<CreatedSubscription> done) {
    std::string tag = queueTag(subscription.queue);
    run("subscription_create", subscription.queue,
        {randomUuid(), subscription.subscriber, std::to_string(subscription.ttl),
         optionsText(subscription.options), subscription.connectionId},
        [this, tag, done = std::move(done)](Result<RedisValue> reply) {
            if (!reply.ok()) return done(reply.error());
            CreatedSubscription created;
            created.created = reply.value().at(2).asInt() != 0;
            created.id = reply.value().at(3).asString();
            created.confirmed = reply.value().at(4).asInt() != 0;
            // The registry entry must exist before anyone can post a message the
            // notifiers should read; answer after it is stored.
            context_.redis.command(
                {"SADD", notificationRegistryKey(tag), tag},
                [created, done](Result<RedisValue> added) {
                    if (!added.ok() || added.value().isError()) {
                        log::warning("redis: could not register a queue for notifications");
                        return done(Error{ErrorKind::Unavailable, "registry write failed"});
                    }
                    done(created);
                });
        });
}

void RedisSubscriptionStore::list(const QueueRef& queue, const std::string& marker, int64_t limit,
                                  Callback<SubscriptionPage> done) {
    run("subscription_read", queue, {"list", marker, std::to_string(limit)},
        [name = queue.name, done = std::move(done)](Result<RedisValue> reply) {
            if (!reply.ok()) return done(reply.error());
            SubscriptionPage page;
            for (size_t i = 2; i < reply.value().size(); ++i)
                page.subscriptions.push_back(decodeSubscription(reply.value().at(i), name));
            if (!page.subscriptions.empty()) page.nextMarker = page.subscriptions.back().id;
            done(std::move(page));
        });
}

void RedisSubscriptionStore::get(const QueueRef& queue, const std::string& id,
                                 Callback<Subscription> done) {
    run("subscription_read", queue, {"get", id},
        [id, name = queue.name, done = std::move(done)](Result<RedisValue> reply) {
            if (!reply.ok()) return done(reply.error());
            if (reply.value().size() < 3) return done(subscriptionNotFound(id));
            done(decodeSubscription(reply.value().at(2), name));
        });
}

void RedisSubscriptionStore::update(const QueueRef& queue, const std::string& id,
                                    const SubscriptionChanges& changes, Callback<Unit> done) {
    run("subscription_write", queue,
        {"update", id, changes.subscriber ? "1" : "0", changes.subscriber.value_or(""),
         changes.ttl ? "1" : "0", changes.ttl ? std::to_string(*changes.ttl) : "",
         changes.options ? "1" : "0", changes.options ? optionsText(*changes.options) : ""},
        [id, done = std::move(done)](Result<RedisValue> reply) {
            if (!reply.ok()) return done(reply.error());
            switch (reply.value().at(2).asInt()) {
                case 1:
                    return done(subscriptionNotFound(id));
                case 2:
                    return done(Error{ErrorKind::Conflict, "subscriber taken"});
                default:
                    return done(Unit{});
            }
        });
}

void RedisSubscriptionStore::remove(const QueueRef& queue, const std::string& id,
                                    Callback<Unit> done) {
    run("subscription_write", queue, {"delete", id},
        [done = std::move(done)](Result<RedisValue> reply) {
            if (!reply.ok()) return done(reply.error());
            done(Unit{});
        });
}

void RedisSubscriptionStore::confirm(const QueueRef& queue, const std::string& id, bool confirmed,
                                     Callback<Unit> done) {
    run("subscription_write", queue, {"confirm", id, confirmed ? "1" : "0"},
        [this, id, tag = queueTag(queue), done = std::move(done)](Result<RedisValue> reply) {
            if (!reply.ok()) return done(reply.error());
            if (reply.value().at(2).asInt() == 1) return done(subscriptionNotFound(id));
            // Released deliveries are due now: let this shard's notifier look at once.
            if (reply.value().at(3).asInt() > 0) context_.notificationPending(tag);
            done(Unit{});
        });
}

void RedisSubscriptionStore::requestConfirmation(const QueueRef& queue, const std::string& id,
                                                 const ConfirmationRequest& confirmation,
                                                 Callback<Unit> done) {
    run("subscription_write", queue,
        {"request", id, "k", "c", "s", id, "y", confirmation.unsubscribe ? "u" : "s", "g",
         confirmation.signature, "p", confirmation.paths, "e", confirmation.expires},
        [this, id, tag = queueTag(queue), done = std::move(done)](Result<RedisValue> reply) {
            if (!reply.ok()) return done(reply.error());
            if (reply.value().at(2).asInt() == 1) return done(subscriptionNotFound(id));
            context_.notificationPending(tag);
            done(Unit{});
        });
}

void RedisSubscriptionStore::purge(const QueueRef& queue, Callback<Unit> done) {
    run("subscription_write", queue, {"purge"}, [done = std::move(done)](Result<RedisValue> reply) {
        if (!reply.ok()) return done(reply.error());
        done(Unit{});
    });
}

// The dead-letter stream z:nd:{T} is read and trimmed with single commands (one slot):
// XRANGE after the marker (exclusive), XDEL by id, DEL for all.
void RedisSubscriptionStore::listDeadLetters(const QueueRef& queue, const std::string& marker,
                                             int64_t limit,
                                             Callback<NotificationDeadLetterPage> done) {
    if (!marker.empty() && !isStreamId(marker)) {
        // A marker that is no stream id continues nowhere: an empty page, as for messages.
        return context_.dispatcher.defer(
            [done = std::move(done)] { done(NotificationDeadLetterPage{}); });
    }
    std::string from = marker.empty() ? "-" : "(" + marker;
    context_.redis.command(
        {"XRANGE", deadLetterStreamKey(queueTag(queue)), from, "+", "COUNT", std::to_string(limit)},
        [done = std::move(done)](Result<RedisValue> reply) {
            if (!reply.ok() || reply.value().isError()) return done(unavailable(reply));
            NotificationDeadLetterPage page;
            for (const RedisValue& item : reply.value().elements) {
                NotificationDeadLetter entry;
                entry.id = item.at(0).asString();
                entry.createdMs = std::strtoll(entry.id.c_str(), nullptr, 10);  // "<ms>-<seq>"
                const RedisValue& fields = item.at(1);
                for (size_t i = 0; i + 1 < fields.size(); i += 2)
                    entry.fields.emplace_back(fields.at(i).asString(), fields.at(i + 1).asString());
                page.entries.push_back(std::move(entry));
            }
            if (!page.entries.empty()) page.nextMarker = page.entries.back().id;
            done(std::move(page));
        });
}

void RedisSubscriptionStore::removeDeadLetters(const QueueRef& queue,
                                               const std::vector<std::string>& ids,
                                               Callback<Unit> done) {
    std::string key = deadLetterStreamKey(queueTag(queue));
    Command command{"DEL", key};
    if (!ids.empty()) {
        command = Command{"XDEL", key};
        for (const auto& id : ids)
            if (isStreamId(id)) command.args.push_back(id);
        if (command.args.size() == 2)
            return context_.dispatcher.defer([done = std::move(done)] { done(Unit{}); });
    }
    context_.writeCommand(std::move(command), [done = std::move(done)](Result<RedisValue> reply) {
        if (!reply.ok() || reply.value().isError()) return done(unavailable(reply));
        done(Unit{});
    });
}

}  // namespace zaqard::storage::redis
