// Cluster safety of every command the Redis stores send. The driver runs against a
// single-node Redis Cluster (all 16384 slots: Redis itself rejects a script touching
// keys outside its declared slot and a multi-key command across slots), under a MONITOR
// tap that records each command; then each recorded command must name keys of one slot
// (COMMAND GETKEYS; our keySlot() checked against CLUSTER KEYSLOT), and the whole
// recording is replayed on a real three-master cluster, each command sent to the master
// owning its slot, without a single error (a wrong slot would answer MOVED).
// The cluster client that routes commands itself is a later step; this is its contract.
#include <cctype>
#include <set>

#include "redis_cluster_support.h"
#include "storage/redis/key_layout.h"
#include "storage/redis/notification_keys.h"
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
    auto tap = std::make_unique<MonitorTap>(server_);

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
    exercised.insert({"queue_create", "queue_indexed", "queue_set_metadata"});
    // post
    PostRequest request{q, "c", {}, 10};
    for (int i = 0; i < 6; ++i) request.messages.push_back({std::to_string(i), std::nullopt, 0});
    auto posted = await<PostResult>([&](auto done) { store().messages.post(request, done); });
    ASSERT_TRUE(posted.ok());
    ASSERT_EQ(posted->ids.size(), 6u);
    // A keyed post (idempotency records are derived keys of the queue's tag), twice.
    PostRequest keyed{
        {"proj/x", "keyed"}, "c", {{"1", std::nullopt, 0, "m"}, {"2", std::nullopt, 0}}, 10};
    keyed.idempotencyKey = "r-key";
    auto first = await<PostResult>([&](auto done) { store().messages.post(keyed, done); });
    ASSERT_TRUE(first.ok());
    auto again = await<PostResult>([&](auto done) { store().messages.post(keyed, done); });
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->ids, first->ids);
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
    // normalise: the sweeper (every 50 ms) walks the registry buckets, then the
    // pre-bucket registry, whose entries it moves into their buckets; it also removes
    // entries of missing queues (a deletion left halfway).
    std::string ghost = storage::redis::queueTag({"proj/x", "ghost"});
    server_.command({"SADD", storage::redis::legacyRegistryKey(), storage::redis::queueTag(q)});
    server_.command({"SADD", storage::redis::registryKeyOfTag(ghost), ghost});
    ASSERT_TRUE(runUntil(dispatcher_, [&] {
        auto legacy = server_.command({"EXISTS", storage::redis::legacyRegistryKey()});
        auto stale = server_.command({"SISMEMBER", storage::redis::registryKeyOfTag(ghost), ghost});
        return legacy->integer == 0 && stale->integer == 0;
    }));
    exercised.insert("normalise");
    // redrive_take on the DLQ (-> dead_letter_post back into q), paced; then FIFO groups
    // (post, claim, release, delete with a group's line in z:gm/z:gh of q's slot).
    auto redriven = await<RedriveResult>([&](auto done) {
        RedriveRequest redrive;
        redrive.source = q;
        redrive.deadLetterQueue = "dlq";
        redrive.rate = 100;
        store().messages.redrive(redrive, done);
    });
    ASSERT_TRUE(redriven.ok());
    EXPECT_EQ(redriven->ids.size(), 2u);
    exercised.insert("redrive_take");
    PostRequest grouped{q, "c", {}, 10};
    for (int i = 0; i < 3; ++i) {
        grouped.messages.push_back({std::to_string(i), std::nullopt, 0});
        grouped.messages.back().group = "g";
    }
    auto groupPosted = await<PostResult>([&](auto done) { store().messages.post(grouped, done); });
    ASSERT_TRUE(groupPosted.ok());
    ASSERT_TRUE(await<Unit>([&](auto done) {
                    store().messages.removeMany(q, {groupPosted->ids[0]}, done);
                }).ok());
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
    auto deadLetters = await<NotificationDeadLetterPage>(
        [&](auto done) { store().subscriptions.listDeadLetters(q, "", 10, done); });
    ASSERT_TRUE(deadLetters.ok());
    ASSERT_EQ(deadLetters->entries.size(), 1u);
    ASSERT_TRUE(await<Unit>([&](auto done) {
                    store().subscriptions.removeDeadLetters(q, {deadLetters->entries[0].id}, done);
                }).ok());
    ASSERT_TRUE(
        await<Unit>([&](auto done) { store().subscriptions.removeDeadLetters(q, {}, done); }).ok());
    ASSERT_TRUE(await<Unit>([&](auto done) {
                    store().subscriptions.confirm(q, sub->id, true, done);
                }).ok());
    ASSERT_TRUE(await<Unit>([&](auto done) { store().subscriptions.purge(q, done); }).ok());
    // The notifiers' registry: every bucket and the pre-bucket set (drained).
    server_.command({"SADD", storage::redis::legacyNotificationRegistryKey(), "proj%2Fx/old"});
    auto registered =
        await<std::vector<std::string>>([&](auto done) { store().notifications.registry(done); });
    ASSERT_TRUE(registered.ok());
    EXPECT_EQ(registered.value(), (std::vector<std::string>{"proj%2Fx/cq", "proj%2Fx/old"}));
    exercised.insert({"subscription_create", "subscription_read", "subscription_write",
                      "notify_fetch", "notify_settle"});
    // queue list/count/remove are plain commands (purge is a script), on the project's tag; a
    // listing meeting an entry of a missing queue removes it.
    server_.command({"ZADD", storage::redis::projectIndexKeyOfTag(ghost), "0", "ghost"});
    ASSERT_TRUE(await<std::vector<QueueInfo>>([&](auto done) {
                    QueueListRequest list;
                    list.project = "proj/x";
                    list.detailed = true;
                    store().queues.list(list, done);
                }).ok());
    ASSERT_TRUE(await<int64_t>([&](auto done) { store().queues.count("proj/x", done); }).ok());
    ASSERT_TRUE(
        await<std::optional<Json>>([&](auto done) { store().queues.getMetadata(q, done); }).ok());
    ASSERT_TRUE(await<MessageVolume>([&](auto done) { store().health.messageVolume(done); }).ok());
    ASSERT_TRUE(await<int64_t>([&](auto done) { store().queues.purgeMessages(q, done); }).ok());
    exercised.insert("purge");
    ASSERT_TRUE(await<Unit>([&](auto done) { store().queues.remove(q, done); }).ok());
    ASSERT_TRUE(runUntil(dispatcher_, [&] {
        return server_.command({"ZSCORE", storage::redis::projectIndexKeyOfTag(ghost), "ghost"})
                   ->type == REDIS_REPLY_NIL;
    }));
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return driver_->ready(); }));
    auto recorded = tap->collect();
    tap.reset();

    std::set<std::string> all;
    for (const auto& script : storage::redis::loadedScripts()) all.insert(script.name);
    EXPECT_EQ(exercised, all)
        << "every script must be exercised here (cluster slot check): add the missing ones";

    // No command failed, cross-slot or otherwise.
    std::string errors = info("errorstats");
    EXPECT_EQ(errors.find("errorstat_"), std::string::npos) << errors;

    // Every recorded command names keys of one slot at most.
    std::map<std::string, int> slotOf;  // checked against CLUSTER KEYSLOT once per key
    std::set<std::string> names;
    std::vector<std::pair<int, std::vector<std::string>>> routed;  // slot, command
    for (const auto& command : recorded) {
        auto keys = commandKeys(server_, command.argv);
        if (keys.empty()) {
            // Keyless: fine for connection and server commands, but a data command
            // without keys (SCAN, KEYS, RANDOMKEY, FLUSHDB...) would see one node only.
            static const std::set<std::string> kKeyless{
                "PING", "ECHO",   "INFO",    "CONFIG",  "CLUSTER",  "CLIENT", "HELLO",
                "AUTH", "SELECT", "MONITOR", "COMMAND", "FUNCTION", "TIME"};
            std::string name = command.argv[0];
            for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            EXPECT_TRUE(kKeyless.count(name)) << "keyless data command: " << name;
            continue;
        }
        std::set<int> slots;
        for (const auto& key : keys) {
            if (!slotOf.count(key)) {
                auto slot = server_.command({"CLUSTER", "KEYSLOT", key});
                EXPECT_EQ(storage::redis::keySlot(key), slot->integer) << key;
                slotOf[key] = storage::redis::keySlot(key);
            }
            slots.insert(slotOf[key]);
        }
        std::string line;
        for (const auto& arg : command.argv) line += arg.substr(0, 60) + " ";
        EXPECT_EQ(slots.size(), 1u) << "command across slots: " << line;
        if (command.inScript) continue;
        names.insert(command.argv[0]);
        routed.emplace_back(*slots.begin(), command.argv);
    }
    // What the stores send besides FCALL (the checks above cover them all).
    for (const char* name :
         {"FCALL", "HGET", "HMGET", "SSCAN", "SMEMBERS", "SADD", "SREM", "ZADD", "ZREM",
          "ZRANGEBYLEX", "ZCARD", "UNLINK", "EXISTS", "HSCAN", "HDEL", "XRANGE", "XDEL", "DEL"})
        EXPECT_TRUE(names.count(name)) << name << " was not recorded";

    // The replay on three masters, each command on the owner of its slot.
    RedisCluster cluster;
    ASSERT_EQ(cluster.size(), 3u);
    std::vector<std::unique_ptr<redisContext, RedisContextDeleter>> links;
    for (size_t i = 0; i < cluster.size(); ++i) {
        links.push_back(cluster.node(i).connect());
        auto loaded = syncCommand(links.back().get(), {"FUNCTION", "LOAD", "REPLACE",
                                                       storage::redis::scriptLibrary().source});
        ASSERT_TRUE(loaded && loaded->type != REDIS_REPLY_ERROR);
    }
    std::set<int> masters;
    for (const auto& [slot, argv] : routed) {
        int port = cluster.ownerOf(slot);
        masters.insert(port);
        redisContext* link = nullptr;
        for (size_t i = 0; i < cluster.size(); ++i)
            if (cluster.node(i).port() == port) link = links[i].get();
        ASSERT_NE(link, nullptr) << "no owner for slot " << slot;
        auto reply = syncCommand(link, argv);
        ASSERT_TRUE(reply) << argv[0];
        EXPECT_NE(reply->type, REDIS_REPLY_ERROR)
            << argv[0] << " " << (argv.size() > 1 ? argv[1] : "") << ": "
            << (reply->str ? std::string(reply->str, reply->len) : "");
    }
    EXPECT_EQ(masters.size(), 3u) << "the recorded commands should reach every master";

    // The control: Redis does reject a shebang script touching another slot.
    auto crossing =
        server_.command({"EVAL", "#!lua\nreturn redis.call('GET', '{b}x')", "1", "{a}y"});
    ASSERT_EQ(crossing->type, REDIS_REPLY_ERROR);
    EXPECT_NE(std::string(crossing->str).find("slot"), std::string::npos) << crossing->str;
}

// The registries' buckets spread over the masters of a real three-master cluster, and
// keySlot() agrees with the cluster's own CLUSTER KEYSLOT (hash tags included).
TEST(RedisClusterLayout, BucketsSpreadOverMastersAndSlotsMatch) {
    RedisCluster cluster;
    ASSERT_EQ(cluster.size(), 3u);
    std::set<int> registryOwners;
    std::set<int> notifierOwners;
    for (int bucket = 0; bucket < storage::redis::kRegistryBuckets; ++bucket) {
        registryOwners.insert(
            cluster.ownerOf(storage::redis::keySlot(storage::redis::registryBucketKey(bucket))));
        notifierOwners.insert(cluster.ownerOf(
            storage::redis::keySlot(storage::redis::notificationRegistryBucketKey(bucket))));
    }
    EXPECT_EQ(registryOwners.size(), 3u);
    EXPECT_EQ(notifierOwners.size(), 3u);
    EXPECT_EQ(registryOwners.count(0), 0u);

    std::vector<std::string> keys{
        "",   "a",    "z:q:{p/q}",           "{}",        "{}x", "a{}{b}", "x{a}{b}",
        "{a", "a}b{", "z:queues:{proj%2Fx}", "\xff{\x00}"};
    for (int i = 0; i < 200; ++i) keys.push_back("z:e:{project-" + std::to_string(i) + "/q}");
    for (const auto& key : keys) {
        auto slot = cluster.node(0).command({"CLUSTER", "KEYSLOT", key});
        ASSERT_TRUE(slot && slot->type == REDIS_REPLY_INTEGER) << key;
        EXPECT_EQ(storage::redis::keySlot(key), slot->integer) << key;
    }
    // A queue's keys, its registry bucket and a notifier bucket: same bucket function.
    std::string tag = storage::redis::queueTag({"proj", "q"});
    EXPECT_EQ(storage::redis::registryKeyOfTag(tag),
              storage::redis::registryBucketKey(storage::redis::registryBucket(tag)));
    for (const auto& key : storage::redis::queueKeys(tag))
        EXPECT_EQ(storage::redis::keySlot(key), storage::redis::keySlot("{" + tag + "}"));
}

}  // namespace
}  // namespace zaqard::testing
