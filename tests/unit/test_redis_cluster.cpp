// Redis driver against a single-node Redis Cluster: every script (shebang scripts make
// Redis 7 reject keys outside the declared slot) must run without a cross-slot error.
#include <set>

#include "storage/redis/key_layout.h"
#include "storage/redis/script_runner.h"
#include "test_redis_support.h"

namespace zaqard::testing {
namespace {

using namespace storage;

class RedisClusterTest : public RedisDriverTest {
  protected:
    RedisClusterTest()
        // The bus port defaults to port + 10000, which may not exist: choose one.
        : RedisDriverTest({"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                           "--cluster-port", std::to_string(freePort())}) {}
    void configure(config::Config& config) override { config.sweep_interval = 0.05; }
    bool sweep() const override { return true; }

    std::string info(const std::string& section) {
        auto reply = server_.command({"INFO", section});
        return reply && reply->type == REDIS_REPLY_STRING ? std::string(reply->str, reply->len)
                                                          : "";
    }
};

TEST_F(RedisClusterTest, EveryScriptStaysInItsSlot) {
    auto slots = server_.command({"CLUSTER", "ADDSLOTSRANGE", "0", "16383"});
    ASSERT_EQ(slots->type, REDIS_REPLY_STATUS);
    ASSERT_TRUE(runUntil(dispatcher_, [this] {
        auto reply = server_.command({"CLUSTER", "INFO"});
        return std::string(reply->str, reply->len).find("cluster_state:ok") != std::string::npos;
    }));
    server_.command({"CONFIG", "RESETSTAT"});

    std::set<std::string> exercised;
    QueueRef q{"proj/x", "cq"};
    // queue_create, queue_set_metadata
    ASSERT_TRUE(
        await<bool>([&](auto done) {
            store().queues.create(
                q, parseJsonValue("{\"_max_claim_count\":1,\"_dead_letter_queue\":\"dlq\"}"), done);
        }).ok());
    ASSERT_TRUE(await<Unit>([&](auto done) {
                    store().queues.setMetadata(
                        q,
                        parseJsonValue("{\"_max_claim_count\":1,\"_dead_letter_queue\":\"dlq\",\"_"
                                       "default_message_delay\":1}"),
                        done);
                }).ok());
    exercised.insert({"queue_create", "queue_set_metadata"});
    // post
    PostRequest request{q, "c", {}, 10};
    for (int i = 0; i < 6; ++i) request.messages.push_back({std::to_string(i), std::nullopt, 0});
    auto posted = await<PostResult>([&](auto done) { store().messages.post(request, done); });
    ASSERT_TRUE(posted.ok());
    ASSERT_EQ(posted->ids.size(), 6u);
    exercised.insert("post");
    // list, get, stats
    ASSERT_TRUE(await<MessagePage>([&](auto done) {
                    store().messages.list(ListRequest{q, "", 10, true, "c", true, true}, done);
                }).ok());
    ASSERT_TRUE(await<GetMessagesResult>([&](auto done) {
                    store().messages.get(q, posted->ids, done);
                }).ok());
    ASSERT_TRUE(await<QueueStats>([&](auto done) { store().queues.stats(q, done); }).ok());
    exercised.insert({"list", "get", "stats"});
    // claim_create, claim_get, claim_renew, claim_release (-> dead_letter_post)
    auto claim = await<ClaimResult>([&](auto done) {
        store().claims.create(ClaimRequest{q, 60, 60, 2}, done);
    });
    ASSERT_TRUE(claim.ok());
    ASSERT_EQ(claim->messages.size(), 2u);
    ASSERT_TRUE(
        await<ClaimInfo>([&](auto done) { store().claims.get(q, claim->claimId, done); }).ok());
    ASSERT_TRUE(await<Unit>([&](auto done) {
                    store().claims.renew(q, claim->claimId, 60, 60, done);
                }).ok());
    ASSERT_TRUE(
        await<Unit>([&](auto done) { store().claims.release(q, claim->claimId, done); }).ok());
    exercised.insert(
        {"claim_create", "claim_get", "claim_renew", "claim_release", "dead_letter_post"});
    // remove, remove_many, pop
    ASSERT_TRUE(await<DeleteOutcome>([&](auto done) {
                    store().messages.remove(q, posted->ids[2], std::nullopt, done);
                }).ok());
    auto refused = await<Unit>(
        [&](auto done) { store().messages.removeManyClaimed(q, {posted->ids[3]}, {"x"}, done); });
    ASSERT_EQ(refused.error().kind, ErrorKind::Forbidden);
    ASSERT_TRUE(await<Unit>([&](auto done) {
                    store().messages.removeMany(q, {posted->ids[4]}, done);
                }).ok());
    ASSERT_TRUE(
        await<std::vector<Message>>([&](auto done) { store().messages.pop(q, 1, done); }).ok());
    exercised.insert({"remove", "remove_many", "pop"});
    // The moved messages arrive in the DLQ (another slot), via the mover.
    QueueRef dlq{"proj/x", "dlq"};
    ASSERT_TRUE(runUntil(dispatcher_, [&] {
        auto stats = await<QueueStats>([&](auto done) { store().queues.stats(dlq, done); });
        return stats.ok() && stats->total == 2;
    }));
    // normalise: the sweeper (every 50 ms) walks the registry.
    ASSERT_TRUE(runUntil(dispatcher_, [&] {
        return info("commandstats").find("cmdstat_sscan:calls=") != std::string::npos;
    }));
    spin(dispatcher_, std::chrono::milliseconds(200));
    exercised.insert("normalise");
    // Subscriptions and notification delivery (subscription_*, notify_* scripts).
    auto sub = await<CreatedSubscription>([&](auto done) {
        store().subscriptions.create(NewSubscription{q, "http://h/x", 600, Json::object(), ""},
                                     done);
    });
    ASSERT_TRUE(sub.ok());
    ASSERT_TRUE(await<SubscriptionPage>([&](auto done) {
                    store().subscriptions.list(q, "", 10, done);
                }).ok());
    ASSERT_TRUE(await<Unit>([&](auto done) {
                    SubscriptionChanges changes;
                    changes.ttl = 900;
                    store().subscriptions.update(q, sub->id, changes, done);
                }).ok());
    ASSERT_TRUE(await<Unit>([&](auto done) {
                    store().subscriptions.requestConfirmation(
                        q, sub->id, ConfirmationRequest{false, "sig", "/p", "2030-01-01T00:00:00"},
                        done);
                }).ok());
    std::string tag = storage::redis::queueTag(q);
    for (int round = 0; round < 2; ++round) {  // the second finds the consumer group
        auto batch = await<NotificationBatch>(
            [&](auto done) { store().notifications.fetch(tag, "c1", 10, 60000, 60000, done); });
        ASSERT_TRUE(batch.ok());
        for (const auto& job : batch->jobs)
            ASSERT_TRUE(
                await<Unit>([&](auto done) { store().notifications.ack(tag, job.id, done); }).ok());
    }
    ASSERT_TRUE(await<Unit>([&](auto done) {
                    store().notifications.scheduleRetry(tag, "r1", "{}", 0, done);
                }).ok());
    ASSERT_TRUE(await<Unit>([&](auto done) {
                    store().notifications.deadLetter(tag, "r1", {{"reason", "test"}}, done);
                }).ok());
    ASSERT_TRUE(await<Unit>([&](auto done) {
                    store().subscriptions.confirm(q, sub->id, true, done);
                }).ok());
    ASSERT_TRUE(await<Unit>([&](auto done) { store().subscriptions.purge(q, done); }).ok());
    ASSERT_TRUE(await<std::vector<std::string>>([&](auto done) {
                    store().notifications.registry(done);
                }).ok());
    exercised.insert({"subscription_create", "subscription_read", "subscription_write",
                      "notify_fetch", "notify_settle"});
    // queue list/count/remove/purge are plain commands, on the project's tag.
    ASSERT_TRUE(await<std::vector<QueueInfo>>([&](auto done) {
                    QueueListRequest list;
                    list.project = "proj/x";
                    list.detailed = true;
                    store().queues.list(list, done);
                }).ok());
    ASSERT_TRUE(await<Unit>([&](auto done) { store().queues.purgeMessages(q, done); }).ok());
    ASSERT_TRUE(await<Unit>([&](auto done) { store().queues.remove(q, done); }).ok());

    std::set<std::string> all;
    for (const auto& script : storage::redis::loadedScripts()) all.insert(script.name);
    EXPECT_EQ(exercised, all)
        << "every script must be exercised here (cluster slot check): add the missing ones";

    // No command failed, cross-slot or otherwise.
    std::string errors = info("errorstats");
    EXPECT_EQ(errors.find("errorstat_"), std::string::npos) << errors;

    // The control: Redis does reject a shebang script touching another slot.
    auto crossing =
        server_.command({"EVAL", "#!lua\nreturn redis.call('GET', '{b}x')", "1", "{a}y"});
    ASSERT_EQ(crossing->type, REDIS_REPLY_ERROR);
    EXPECT_NE(std::string(crossing->str).find("slot"), std::string::npos) << crossing->str;
}

}  // namespace
}  // namespace zaqard::testing
