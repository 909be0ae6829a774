// The cluster client (storage/redis/client/cluster_client.*) against a real Redis Cluster
// of three masters on loopback (redis_cluster_support.h): routing by hash slot, the
// handshake on every master (one that joins later included), MOVED, ASK, TRYAGAIN, a
// master that restarts or stays down, pub/sub that moves when its node drops.
#include <atomic>
#include <thread>

#include "redis_cluster_support.h"
#include "src/config/config_loader.h"
#include "storage/redis/client/client_factory.h"
#include "storage/redis/client/cluster_client.h"
#include "storage/redis/client/key_slot.h"

namespace zaqard::testing {
namespace {

using namespace storage::redis;

constexpr const char* kLibrary =
    "#!lua name=zqtest\n"
    "redis.register_function('zqtest_get', function(keys) return redis.call('GET', keys[1]) "
    "end)";

class ClusterClientTest : public ::testing::Test {
  protected:
    std::unique_ptr<ClusterClient> client(std::chrono::milliseconds timeout, size_t seedCount = 1) {
        // One seed is enough: the others are learnt from CLUSTER SLOTS.
        std::string text = "redis://";
        for (size_t i = 0; i < seedCount; ++i)
            text += (i ? ",127.0.0.1:" : "127.0.0.1:") + std::to_string(cluster_.node(i).port());
        text += "?cluster=true";
        config::RedisUri uri;
        std::string error;
        EXPECT_TRUE(config::parseRedisUri(text, uri, error)) << error;
        auto made = makeClient(dispatcher_, uri, {timeout}, error);
        EXPECT_TRUE(made) << error;
        auto* cluster = dynamic_cast<ClusterClient*>(made.get());
        EXPECT_NE(cluster, nullptr);
        made.release();
        return std::unique_ptr<ClusterClient>(cluster);
    }
    Result<RedisValue> call(RedisClient& redis, Command command,
                            std::chrono::milliseconds wait = std::chrono::milliseconds(8000)) {
        std::optional<Result<RedisValue>> out;
        redis.command(std::move(command), [&](Result<RedisValue> r) { out.emplace(std::move(r)); });
        if (!runUntil(
                dispatcher_, [&] { return out.has_value(); }, wait))
            return Error{ErrorKind::Unavailable, "test: no answer"};
        return std::move(*out);
    }
    Result<std::vector<RedisValue>> pipeline(RedisClient& redis, std::vector<Command> commands) {
        std::optional<Result<std::vector<RedisValue>>> out;
        redis.pipeline(std::move(commands),
                       [&](Result<std::vector<RedisValue>> r) { out.emplace(std::move(r)); });
        if (!runUntil(dispatcher_, [&] { return out.has_value(); }))
            return Error{ErrorKind::Unavailable, "test: no answer"};
        return std::move(*out);
    }
    std::string value(const Result<RedisValue>& reply) {
        if (!reply.ok()) return "<" + reply.error().message + ">";
        return reply.value().isError() ? "<" + reply.value().str + ">" : reply.value().asString();
    }
    size_t indexOf(int port) {
        for (size_t i = 0; i < cluster_.size(); ++i)
            if (cluster_.node(i).port() == port) return i;
        return cluster_.size();
    }

    RedisCluster cluster_;
    event::Dispatcher dispatcher_;
};

TEST_F(ClusterClientTest, RoutesEveryKeyToTheMasterOfItsSlot) {
    ASSERT_EQ(cluster_.size(), 3u);
    auto redis = client(std::chrono::milliseconds(1000));
    redis->start();
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return redis->ready(); }));
    ASSERT_EQ(redis->masters().size(), 3u);

    std::set<int> owners;
    for (int i = 0; i < 60; ++i) {
        std::string key = "z:q:{tag-" + std::to_string(i) + "}";
        ASSERT_EQ(value(call(*redis, {"SET", key, "v" + std::to_string(i)})), "OK") << key;
        int slot = keySlot(key);
        EXPECT_EQ(redis->masterOf(slot).port, cluster_.ownerOf(slot));
        owners.insert(cluster_.ownerOf(slot));
        // The key is where the cluster says it is (a plain GET elsewhere would be MOVED).
        auto stored = cluster_.nodeOfSlot(slot)->command({"GET", key});
        ASSERT_TRUE(stored && stored->type == REDIS_REPLY_STRING) << key;
        EXPECT_EQ(std::string(stored->str, stored->len), "v" + std::to_string(i));
    }
    EXPECT_EQ(owners.size(), 3u);

    // A pipeline goes to the node of its first keyed command, the keyless ones with it.
    auto replies = pipeline(*redis, {Command::keyless({"PING"}),
                                     {"SET", "{pipe}a", "1"},
                                     {"INCR", "{pipe}a"},
                                     Command::keyless({"WAIT", "0", "100"})});
    ASSERT_TRUE(replies.ok()) << replies.error().message;
    ASSERT_EQ(replies->size(), 4u);
    EXPECT_EQ(replies.value()[0].asString(), "PONG");
    EXPECT_EQ(replies.value()[1].asString(), "OK");
    EXPECT_EQ(replies.value()[2].integer, 2);
    EXPECT_EQ(replies.value()[3].integer, 0);
    EXPECT_EQ(value(call(*redis, {"PING"})), "PONG");
    // A server-side error reply is a value, not a retry.
    auto wrong = call(*redis, {"INCR", "z:q:{tag-1}"});
    ASSERT_TRUE(wrong.ok());
    EXPECT_TRUE(wrong.value().isError());
}

TEST_F(ClusterClientTest, HandshakeRunsOnEveryMasterAndOnOneThatJoinsLater) {
    auto redis = client(std::chrono::milliseconds(2000));
    redis->setHandshake([] {
        return std::vector<Command>{Command::keyless({"FUNCTION", "LOAD", "REPLACE", kLibrary})};
    });
    redis->start();
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return redis->ready(); }));
    for (size_t i = 0; i < cluster_.size(); ++i) {
        auto list = cluster_.node(i).command({"FUNCTION", "LIST", "LIBRARYNAME", "zqtest"});
        ASSERT_TRUE(list && list->type == REDIS_REPLY_ARRAY);
        EXPECT_EQ(list->elements, 1u) << "master " << i << " has no library";
    }
    std::string key = "z:q:{late}";
    int slot = keySlot(key);
    ASSERT_EQ(value(call(*redis, {"SET", key, "before"})), "OK");
    uint64_t maps = redis->mapsApplied();

    // A fourth master joins and takes the key's slot (the key moves with it).
    size_t added = cluster_.addNode();
    ASSERT_LT(added, cluster_.size());
    ASSERT_TRUE(cluster_.moveSlot(slot, added));
    auto read = call(*redis, Command::keyAt({"FCALL", "zqtest_get", "1", key}, 3));
    EXPECT_EQ(value(read), "before");
    EXPECT_EQ(redis->masterOf(slot).port, cluster_.node(added).port());
    auto list = cluster_.node(added).command({"FUNCTION", "LIST", "LIBRARYNAME", "zqtest"});
    ASSERT_TRUE(list && list->type == REDIS_REPLY_ARRAY);
    EXPECT_EQ(list->elements, 1u) << "the new master did not get the handshake";
    // MOVED asked for a new map: it names four masters.
    ASSERT_TRUE(runUntil(
        dispatcher_, [&] { return redis->mapsApplied() > maps && redis->masters().size() == 4; }));
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return redis->ready(); }));
}

TEST_F(ClusterClientTest, AskGoesOnceToTheImportingNodeAndLeavesTheMap) {
    auto redis = client(std::chrono::milliseconds(2000));
    redis->start();
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return redis->ready(); }));
    std::string key = "{ask}k";
    int slot = keySlot(key);
    size_t from = indexOf(cluster_.ownerOf(slot));
    size_t to = (from + 1) % cluster_.size();
    ASSERT_TRUE(cluster_.beginMigration(slot, from, to));

    // The key is not on the source: ASK -> ASKING + SET on the target.
    ASSERT_EQ(value(call(*redis, {"SET", key, "asked"})), "OK");
    EXPECT_EQ(redis->masterOf(slot).port, cluster_.node(from).port());
    auto onTarget = cluster_.askingGet(to, key);
    EXPECT_EQ(onTarget, "asked");
    // A pipeline: each keyed command behind its own ASKING, one round trip.
    auto replies = pipeline(*redis, {{"SET", "{ask}p", "1"}, {"INCR", "{ask}p"}});
    ASSERT_TRUE(replies.ok()) << replies.error().message;
    EXPECT_EQ(replies.value()[0].asString(), "OK");
    EXPECT_EQ(replies.value()[1].integer, 2);
    EXPECT_EQ(cluster_.askingGet(to, "{ask}p"), "2");
    EXPECT_EQ(redis->masterOf(slot).port, cluster_.node(from).port());

    // The migration ends: MOVED moves the slot in the client's map.
    ASSERT_TRUE(cluster_.endMigration(slot, to));
    EXPECT_EQ(value(call(*redis, {"GET", key})), "asked");
    EXPECT_EQ(redis->masterOf(slot).port, cluster_.node(to).port());
}

TEST_F(ClusterClientTest, TryAgainIsRetriedWithinTheDeadline) {
    auto redis = client(std::chrono::milliseconds(500));
    redis->start();
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return redis->ready(); }));
    ASSERT_EQ(value(call(*redis, {"SET", "{try}a", "A"})), "OK");
    ASSERT_EQ(value(call(*redis, {"SET", "{try}b", "B"})), "OK");
    int slot = keySlot("{try}a");
    size_t from = indexOf(cluster_.ownerOf(slot));
    size_t to = (from + 1) % cluster_.size();
    ASSERT_TRUE(cluster_.beginMigration(slot, from, to));
    ASSERT_TRUE(cluster_.migrateKey(from, to, "{try}b"));
    // Half the keys moved: a multi-key command answers TRYAGAIN until the migration ends.
    int64_t start = monotonicMicros();
    auto refused = call(*redis, {"MGET", "{try}a", "{try}b"});
    int64_t elapsedMs = (monotonicMicros() - start) / 1000;
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("TRYAGAIN"), std::string::npos)
        << refused.error().message;
    EXPECT_GE(elapsedMs, 450);
    EXPECT_LT(elapsedMs, 1500);

    auto patient = client(std::chrono::milliseconds(3000));
    patient->start();
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return patient->ready(); }));
    // The migration ends while the command is being retried.
    std::atomic<bool> ended{false};
    std::thread finisher([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        ended = cluster_.migrateKey(from, to, "{try}a") && cluster_.endMigration(slot, to);
    });
    auto both = call(*patient, {"MGET", "{try}a", "{try}b"});
    finisher.join();
    ASSERT_TRUE(ended);
    ASSERT_TRUE(both.ok()) << both.error().message;
    ASSERT_TRUE(both.value().isArray()) << both.value().str;
    EXPECT_EQ(both.value().at(0).asString(), "A");
    EXPECT_EQ(both.value().at(1).asString(), "B");
    // Served behind ASKING or after MOVED, depending on the moment: the next call MOVEs.
    EXPECT_EQ(value(call(*patient, {"GET", "{try}a"})), "A");
    EXPECT_EQ(patient->masterOf(slot).port, cluster_.node(to).port());
}

TEST_F(ClusterClientTest, AMasterThatRestartsIsRetriedAndOneThatStaysDownAnswers503) {
    auto redis = client(std::chrono::milliseconds(5000));
    redis->start();
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return redis->ready(); }));
    std::string key = "{down}k";
    size_t owner = indexOf(cluster_.ownerOf(keySlot(key)));
    ASSERT_EQ(value(call(*redis, {"SET", key, "1"})), "OK");

    cluster_.node(owner).stop();
    std::atomic<bool> restarted{false};
    std::thread restarter([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        restarted = cluster_.node(owner).start();  // same port, same nodes.conf: same slots
    });
    // A restarted master answers CLUSTERDOWN for its first 2 s (Redis' writable delay):
    // that is retried too.
    auto written = call(*redis, {"SET", key, "2"});
    restarter.join();
    ASSERT_TRUE(restarted);
    EXPECT_EQ(value(written), "OK");
    // Keys elsewhere were served all along.
    EXPECT_EQ(value(call(*redis, {"SET", "{up}k", "1"})), "OK");

    auto quick = client(std::chrono::milliseconds(800));
    quick->start();
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return quick->ready(); }));
    cluster_.node(owner).stop();
    int64_t start = monotonicMicros();
    auto lost = call(*quick, {"GET", key});
    int64_t elapsedMs = (monotonicMicros() - start) / 1000;
    ASSERT_FALSE(lost.ok());
    EXPECT_EQ(lost.error().kind, ErrorKind::Unavailable);
    EXPECT_GE(elapsedMs, 700);
    EXPECT_LT(elapsedMs, 2500);
    EXPECT_NE(quick->state(), RedisClient::State::Ready);
    // The other masters still serve their slots.
    if (indexOf(cluster_.ownerOf(keySlot("{up}k"))) != owner) {
        EXPECT_EQ(value(call(*quick, {"GET", "{up}k"})), "1");
    }
}

TEST_F(ClusterClientTest, SubscriptionMovesToAnotherMasterWhenItsNodeDrops) {
    auto redis = client(std::chrono::milliseconds(1000));
    redis->start();
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return redis->ready(); }));
    std::vector<std::string> received;
    auto subscription = redis->subscribe(
        {"zq-events"}, [&](const std::string&, std::string_view m) { received.emplace_back(m); });
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return subscription->active(); }));
    auto host = [&] {
        for (size_t i = 0; i < cluster_.size(); ++i) {
            auto numsub = cluster_.node(i).command({"PUBSUB", "NUMSUB", "zq-events"});
            if (numsub && numsub->type == REDIS_REPLY_ARRAY && numsub->element[1]->integer == 1)
                return i;
        }
        return cluster_.size();
    };
    size_t first = host();
    ASSERT_LT(first, cluster_.size());
    // PUBLISH reaches every node: publishing through another one (and through the client) works.
    size_t other = (first + 1) % cluster_.size();
    cluster_.node(other).command({"PUBLISH", "zq-events", "one"});
    // (PUBLISH answers the receivers on the node that took it: 0 or 1 here.)
    EXPECT_TRUE(call(*redis, Command::keyless({"PUBLISH", "zq-events", "two"})).ok());
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return received.size() == 2; }));

    cluster_.node(first).stop();
    size_t second = cluster_.size();
    ASSERT_TRUE(runUntil(dispatcher_, [&] {
        second = host();
        return subscription->active() && second < cluster_.size();
    }));
    EXPECT_NE(second, first);
    // Published on the third master (neither the stopped one nor the subscription's).
    cluster_.node(3 - first - second).command({"PUBLISH", "zq-events", "three"});
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return received.size() == 3; }));
    EXPECT_EQ(received.back(), "three");
}

TEST_F(ClusterClientTest, NoReachableSeedAnswers503AfterTheDeadlineNotInsideTheCall) {
    config::RedisUri uri;
    std::string error;
    ASSERT_TRUE(config::parseRedisUri(
        "redis://127.0.0.1:" + std::to_string(freePort()) + "?cluster=true", uri, error));
    auto redis = makeClient(dispatcher_, uri, {std::chrono::milliseconds(300)}, error);
    redis->start();
    bool answered = false;
    int64_t start = monotonicMicros();
    Result<RedisValue> out = Error{ErrorKind::NotFound, "unset"};
    redis->command({"GET", "{x}k"}, [&](Result<RedisValue> r) {
        answered = true;
        out = std::move(r);
    });
    EXPECT_FALSE(answered);
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return answered; }));
    EXPECT_GE((monotonicMicros() - start) / 1000, 250);
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.error().kind, ErrorKind::Unavailable);
    EXPECT_EQ(redis->state(), RedisClient::State::Connecting);
}

}  // namespace
}  // namespace zaqard::testing
