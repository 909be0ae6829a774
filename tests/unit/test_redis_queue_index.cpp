// Redis driver: the cross-slot steps of storage/redis/README.md. A queue's hash lives in
// its own slot, its project index and registry entries in others: a crash between the
// steps (simulated here by undoing the second step by hand) must be repaired by the
// next post, create, listing or sweep; registries written by older versions (z:registry,
// z:nreg) must still be found; a dead-letter move repeated after a crash must not post
// the message twice.
#include "storage/redis/key_layout.h"
#include "storage/redis/notification_keys.h"
#include "test_redis_support.h"

namespace zaqard::testing {
namespace {

using namespace storage;
namespace layout = storage::redis;

class RedisQueueIndexTest : public RedisDriverTest {
  protected:
    QueueRef queue{"proj", "q"};
    std::string tag = layout::queueTag(queue);

    PostResult post(const QueueRef& q, std::optional<int64_t> ttl = std::nullopt) {
        PostRequest request{q, "c", {{"1", ttl, std::nullopt}}, 1};
        auto result = await<PostResult>([&](auto done) { store().messages.post(request, done); });
        EXPECT_TRUE(result.ok());
        return result.ok() ? result.value() : PostResult{};
    }
    bool listed(const std::string& name) {
        return server_
                   .command({"ZSCORE",
                             layout::projectIndexKeyOfTag(layout::queueTag({queue.project, name})),
                             name})
                   ->type != REDIS_REPLY_NIL;
    }
    bool registered(const std::string& name) {
        std::string t = layout::queueTag({queue.project, name});
        return server_.command({"SISMEMBER", layout::registryKeyOfTag(t), t})->integer == 1;
    }
    bool intentPending(const std::string& name) {
        return server_
                   .command({"HEXISTS",
                             layout::queueHashKey(layout::queueTag({queue.project, name})), "ix"})
                   ->integer == 1;
    }
    // What a crash right after the queue's own script leaves: the hash with its intent,
    // no entries.
    void undoSecondStep(const std::string& name, bool project = true, bool registry = true) {
        std::string t = layout::queueTag({queue.project, name});
        if (project) server_.command({"ZREM", layout::projectIndexKeyOfTag(t), name});
        if (registry) server_.command({"SREM", layout::registryKeyOfTag(t), t});
        server_.command({"HSET", layout::queueHashKey(t), "ix", "12345"});
    }
    std::vector<std::string> names() {
        auto listed = await<std::vector<QueueInfo>>([&](auto done) {
            QueueListRequest request;
            request.project = queue.project;
            store().queues.list(request, done);
        });
        EXPECT_TRUE(listed.ok());
        std::vector<std::string> out;
        if (listed.ok())
            for (const auto& info : listed.value()) out.push_back(info.name);
        return out;
    }
};

TEST_F(RedisQueueIndexTest, CreationWritesEntriesThenClearsItsIntent) {
    post(queue);
    EXPECT_TRUE(listed("q"));
    EXPECT_TRUE(registered("q"));
    // The intent is cleared after the answer (not awaited).
    EXPECT_TRUE(runUntil(dispatcher_, [&] { return !intentPending("q"); }));
    auto created = await<bool>([&](auto done) {
        store().queues.create({"proj", "made"}, Json::object(), done);
    });
    ASSERT_TRUE(created.ok() && created.value());
    EXPECT_TRUE(listed("made") && registered("made"));
    EXPECT_TRUE(runUntil(dispatcher_, [&] { return !intentPending("made"); }));
}

TEST_F(RedisQueueIndexTest, TopicsAreIndexedApartFromQueues) {
    QueueRef topic{queue.project, "q", ResourceKind::Topic};
    post(topic);
    post({queue.project, "other", ResourceKind::Topic});
    std::string topicTag = layout::queueTag(topic);
    EXPECT_EQ(server_.command({"ZSCORE", "z:topics:{proj}", "q"})->type, REDIS_REPLY_STRING);
    EXPECT_EQ(server_.command({"SISMEMBER", layout::registryKeyOfTag(topicTag), topicTag})->integer,
              1);
    EXPECT_FALSE(listed("q"));  // not a queue
    EXPECT_TRUE(names().empty());
    auto topics = await<std::vector<QueueInfo>>([&](auto done) {
        QueueListRequest request;
        request.project = queue.project;
        request.kind = ResourceKind::Topic;
        store().queues.list(request, done);
    });
    ASSERT_TRUE(topics.ok());
    ASSERT_EQ(topics.value().size(), 2u);
    EXPECT_EQ(topics.value()[0].name, "other");
    EXPECT_EQ(topics.value()[1].name, "q");
    auto removed = await<Unit>([&](auto done) { store().queues.remove(topic, done); });
    ASSERT_TRUE(removed.ok());
    EXPECT_EQ(server_.command({"ZSCORE", "z:topics:{proj}", "q"})->type, REDIS_REPLY_NIL);
    EXPECT_EQ(server_.command({"EXISTS", layout::queueHashKey(topicTag)})->integer, 0);
}

TEST_F(RedisQueueIndexTest, NextPostFinishesACreationLeftHalfway) {
    post(queue);
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return !intentPending("q"); }));
    undoSecondStep("q");
    EXPECT_TRUE(names().empty());
    EXPECT_EQ(post(queue).ids.size(), 1u);
    EXPECT_TRUE(runUntil(dispatcher_,
                         [&] { return listed("q") && registered("q") && !intentPending("q"); }));
    EXPECT_EQ(names(), std::vector<std::string>{"q"});
}

TEST_F(RedisQueueIndexTest, RetriedCreateFinishesACreationLeftHalfway) {
    auto first =
        await<bool>([&](auto done) { store().queues.create(queue, Json::object(), done); });
    ASSERT_TRUE(first.ok() && first.value());
    undoSecondStep("q");
    auto again =
        await<bool>([&](auto done) { store().queues.create(queue, Json::object(), done); });
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(again.value());                  // it existed: 204
    EXPECT_TRUE(listed("q") && registered("q"));  // written before the answer
    EXPECT_TRUE(runUntil(dispatcher_, [&] { return !intentPending("q"); }));
}

TEST_F(RedisQueueIndexTest, ListingRepairsBothDirections) {
    post(queue);
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return !intentPending("q"); }));
    // q lost its registry entry (crash between the two writes of the second step) ...
    undoSecondStep("q", false, true);
    // ... and a deletion stopped after the keys: an entry without its queue.
    server_.command({"ZADD", layout::projectIndexKeyOfTag(tag), "0", "ghost"});
    EXPECT_EQ(names(), std::vector<std::string>{"q"});
    EXPECT_TRUE(runUntil(
        dispatcher_, [&] { return registered("q") && !intentPending("q") && !listed("ghost"); }));
    auto count = await<int64_t>([&](auto done) { store().queues.count("proj", done); });
    EXPECT_EQ(count.value(), 1);
}

TEST_F(RedisQueueIndexTest, RemoveDropsKeysThenEntries) {
    post(queue);
    ASSERT_TRUE(await<Unit>([&](auto done) { store().queues.remove(queue, done); }).ok());
    EXPECT_FALSE(listed("q"));
    EXPECT_FALSE(registered("q"));
    EXPECT_EQ(server_.command({"EXISTS", layout::queueHashKey(tag)})->integer, 0);
}

// The mover posts an outbox entry into the DLQ, then deletes it from the outbox. A crash
// in between repeats the post later: by then the message may have been consumed from
// the DLQ, and must not come back.
TEST_F(RedisQueueIndexTest, RepeatedDeadLetterMoveDoesNotPostTwice) {
    QueueRef source{"proj", "src"};
    QueueRef dead{"proj", "dlq"};
    post(source);
    std::string sourceTag = layout::queueTag(source);
    auto putOutboxEntry = [&] {
        server_.command({"HSET", layout::outboxKey(sourceTag), "m-1",
                         R"({"c":1,"u":"c","dlq":"dlq","ttl":60,"body":"\"b\""})"});
        server_.command({"HSET", layout::queueHashKey(sourceTag), "ob", "1"});
        // Any script on the source answers the outbox size and starts the mover.
        ASSERT_TRUE(await<QueueStats>([&](auto done) { store().queues.stats(source, done); }).ok());
        ASSERT_TRUE(runUntil(dispatcher_, [&] {
            return server_.command({"HLEN", layout::outboxKey(sourceTag)})->integer == 0;
        }));
    };
    putOutboxEntry();
    auto moved = await<QueueStats>([&](auto done) { store().queues.stats(dead, done); });
    ASSERT_EQ(moved->total, 1);
    EXPECT_TRUE(listed("dlq") && registered("dlq"));  // the DLQ was created and indexed
    ASSERT_TRUE(await<DeleteOutcome>([&](auto done) {
                    store().messages.remove(dead, "m-1", std::nullopt, done);
                }).ok());
    putOutboxEntry();  // the repeated move
    auto after = await<QueueStats>([&](auto done) { store().queues.stats(dead, done); });
    EXPECT_EQ(after->total, 0);
}

// The health report's message volume walks every bucket and the pre-bucket registry.
TEST_F(RedisQueueIndexTest, MessageVolumeCountsEveryBucketAndTheOlderRegistry) {
    for (int i = 0; i < 20; ++i) post({"proj", "v" + std::to_string(i)});
    std::string old = layout::queueTag({"proj", "v0"});
    server_.command({"SREM", layout::registryKeyOfTag(old), old});
    server_.command({"SADD", layout::legacyRegistryKey(), old});
    auto volume = await<MessageVolume>([&](auto done) { store().health.messageVolume(done); });
    ASSERT_TRUE(volume.ok());
    EXPECT_EQ(volume->total, 20);
    EXPECT_EQ(volume->free, 20);
}

TEST_F(RedisQueueIndexTest, LegacyNotificationRegistryIsReadAndDrained) {
    std::string old = layout::queueTag({"proj", "old"});
    server_.command({"SADD", layout::legacyNotificationRegistryKey(), old});
    ASSERT_TRUE(await<CreatedSubscription>([&](auto done) {
                    store().subscriptions.create(
                        NewSubscription{queue, "http://h/x", 600, Json::object(), ""}, done);
                }).ok());
    EXPECT_EQ(server_.command({"SISMEMBER", layout::notificationRegistryKey(tag), tag})->integer,
              1);
    auto tags =
        await<std::vector<std::string>>([&](auto done) { store().notifications.registry(done); });
    ASSERT_TRUE(tags.ok());
    EXPECT_EQ(tags.value(), (std::vector<std::string>{old, tag}));
    EXPECT_TRUE(runUntil(dispatcher_, [&] {
        return server_.command({"EXISTS", layout::legacyNotificationRegistryKey()})->integer == 0;
    }));
    EXPECT_EQ(server_.command({"SISMEMBER", layout::notificationRegistryKey(old), old})->integer,
              1);
    tags =
        await<std::vector<std::string>>([&](auto done) { store().notifications.registry(done); });
    EXPECT_EQ(tags.value(), (std::vector<std::string>{old, tag}));
}

class RedisSweeperIndexTest : public RedisQueueIndexTest {
  protected:
    void configure(config::Config& config) override { config.sweep_interval = 0.05; }
    bool sweep() const override { return true; }
};

// Data of the layout before the buckets: the single z:registry set is still swept, and
// its entries move into their buckets.
TEST_F(RedisSweeperIndexTest, LegacyRegistryIsSweptAndMovedIntoBuckets) {
    post(queue, 1);  // expires in a second; only a sweep removes it from an idle queue
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return !intentPending("q"); }));
    server_.command({"SREM", layout::registryKeyOfTag(tag), tag});
    server_.command({"SADD", layout::legacyRegistryKey(), tag});
    EXPECT_TRUE(runUntil(dispatcher_, [&] {
        return server_.command({"HLEN", "z:e:{" + tag + "}"})->integer == 0 && registered("q") &&
               server_.command({"EXISTS", layout::legacyRegistryKey()})->integer == 0;
    }));
}

TEST_F(RedisSweeperIndexTest, SweepFinishesIntentsAndDropsEntriesOfMissingQueues) {
    post(queue);
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return !intentPending("q"); }));
    undoSecondStep("q", true, false);  // the project entry was not written
    std::string ghost = layout::queueTag({"proj", "ghost"});
    server_.command({"ZADD", layout::projectIndexKeyOfTag(ghost), "0", "ghost"});
    server_.command({"SADD", layout::registryKeyOfTag(ghost), ghost});
    EXPECT_TRUE(runUntil(dispatcher_, [&] {
        return listed("q") && !intentPending("q") && !listed("ghost") && !registered("ghost");
    }));
    EXPECT_TRUE(registered("q"));
}

}  // namespace
}  // namespace zaqard::testing
