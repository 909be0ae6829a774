// The Redis client layer (storage/redis/client) against real redis-server processes: the
// single-node client's pipelines and deadlines, the factory's URI handling, the Sentinel
// client's discovery (a dead sentinel skipped, the one that answered moved to the front,
// AUTH to sentinels and master), and the driver's write concern (WAIT with and without
// a live replica).
#include <fstream>

#include "src/config/config_loader.h"
#include "storage/redis/client/client_factory.h"
#include "storage/redis/client/cluster_client.h"
#include "storage/redis/client/node_client.h"
#include "storage/redis/client/sentinel_client.h"
#include "test_redis_support.h"

namespace zaqard::testing {
namespace {

using namespace storage;
using namespace storage::redis;

config::RedisUri nodeUri(int port) {
    config::RedisUri uri;
    uri.host = "127.0.0.1";
    uri.port = port;
    uri.original = "redis://127.0.0.1:" + std::to_string(port);
    return uri;
}

// A `redis-server --sentinel` child watching one master (quorum 1), on a free port.
class SentinelProcess {
  public:
    SentinelProcess(int masterPort, const std::string& masterName,
                    const std::string& requirepass = "", const std::string& masterPassword = "") {
        port_ = freePort();
        dir_ = std::filesystem::temp_directory_path() /
               ("zaqard-sentinel-" + std::to_string(::getpid()) + "-" + std::to_string(port_));
        std::filesystem::create_directories(dir_);
        std::ofstream conf(dir_ / "sentinel.conf");
        conf << "port " << port_ << "\nbind 127.0.0.1\ndir " << dir_.string()
             << "\nsentinel monitor " << masterName << " 127.0.0.1 " << masterPort << " 1\n"
             << "sentinel down-after-milliseconds " << masterName << " 1000\n";
        if (!requirepass.empty()) conf << "requirepass " << requirepass << "\n";
        if (!masterPassword.empty())
            conf << "sentinel auth-pass " << masterName << " " << masterPassword << "\n";
        conf.close();
        const char* binary = std::getenv("REDIS_SERVER");
        std::string path = binary ? binary : "/usr/bin/redis-server";
        std::vector<std::string> args{path, (dir_ / "sentinel.conf").string(), "--sentinel",
                                      "--loglevel", "warning"};
        pid_ = spawnQuiet(std::move(args));
        for (int i = 0; i < 500 && pid_ > 0; ++i) {
            timeval tv{1, 0};
            redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
            bool up = c && !c->err;
            if (c) redisFree(c);
            if (up) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        ADD_FAILURE() << "redis sentinel did not start";
    }
    ~SentinelProcess() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    int port() const { return port_; }

  private:
    int port_ = 0;
    pid_t pid_ = -1;
    std::filesystem::path dir_;
};

class RedisClientTest : public ::testing::Test {
  protected:
    std::unique_ptr<RedisClient> client(
        const config::RedisUri& uri,
        std::chrono::milliseconds timeout = std::chrono::milliseconds(500)) {
        std::string error;
        auto made = makeClient(dispatcher_, uri, {timeout}, error);
        EXPECT_TRUE(made) << error;
        return made;
    }
    Result<RedisValue> call(RedisClient& redis, Command command) {
        std::optional<Result<RedisValue>> out;
        redis.command(std::move(command), [&](Result<RedisValue> r) { out.emplace(std::move(r)); });
        if (!runUntil(dispatcher_, [&] { return out.has_value(); }))
            return Error{ErrorKind::Unavailable, "test: no answer"};
        return std::move(*out);
    }

    event::Dispatcher dispatcher_;
};

TEST(RedisCommand, NamesTheKeyItAddresses) {
    Command zadd{"ZADD", "z:queues:{p}", "0", "q"};
    EXPECT_EQ(zadd.key(), "z:queues:{p}");
    Command ping{"PING"};
    EXPECT_EQ(ping.key(), "");
    EXPECT_EQ(Command::keyless({"WAIT", "1", "100"}).key(), "");
    EXPECT_EQ(Command::keyAt({"FCALL", "f", "2", "z:q:{t}", "z:e:{t}"}, 3).key(), "z:q:{t}");
}

TEST_F(RedisClientTest, PipelineAnswersInOrderOnOneConnection) {
    RedisServer server;
    auto redis = client(nodeUri(server.port()));
    redis->start();
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return redis->ready(); }));
    std::optional<Result<std::vector<RedisValue>>> out;
    redis->pipeline({{"SET", "k", "v"}, {"GET", "k"}, {"INCR", "n"}, {"HGET", "k", "f"}},
                    [&](Result<std::vector<RedisValue>> r) { out.emplace(std::move(r)); });
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return out.has_value(); }));
    ASSERT_TRUE(out->ok());
    const auto& replies = out->value();
    ASSERT_EQ(replies.size(), 4u);
    EXPECT_EQ(replies[0].str, "OK");
    EXPECT_EQ(replies[1].str, "v");
    EXPECT_EQ(replies[2].integer, 1);
    EXPECT_TRUE(replies[3].isError());  // WRONGTYPE: an answer, not a failure

    server.stop();
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return !redis->ready(); }));
    out.reset();
    int64_t started = monotonicMicros();
    redis->pipeline({{"GET", "k"}, {"GET", "k"}},
                    [&](Result<std::vector<RedisValue>> r) { out.emplace(std::move(r)); });
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return out.has_value(); }));
    EXPECT_FALSE(out->ok());
    EXPECT_EQ(out->error().kind, ErrorKind::Unavailable);
    EXPECT_LT((monotonicMicros() - started) / 1000, 200);
}

TEST_F(RedisClientTest, SocketTimeoutInTheUriIsTheCommandDeadline) {
    RedisServer server;
    config::RedisUri uri = nodeUri(server.port());
    uri.socketTimeout = 0.3;
    uri.socketTimeoutSet = true;
    auto redis = client(uri, std::chrono::milliseconds(5000));
    redis->start();
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return redis->ready(); }));
    server.pause();
    int64_t started = monotonicMicros();
    auto reply = call(*redis, {"PING"});
    int64_t elapsedMs = (monotonicMicros() - started) / 1000;
    server.resume();
    ASSERT_FALSE(reply.ok());
    EXPECT_GE(elapsedMs, 250);
    EXPECT_LT(elapsedMs, 2000);
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return redis->ready(); }));
    EXPECT_TRUE(call(*redis, {"PING"}).ok());
}

// Found by fuzzing (tests/fuzz/fuzz_redis_uri.cpp): parseRedisUri takes any finite
// socket_timeout, and 1e300 s in milliseconds does not fit an int64_t (undefined; x86 gave
// INT64_MIN, then the 1 ms floor: every command timed out at once).
TEST(RedisClientDeadline, HugeSocketTimeoutsWaitLongNotOneMillisecond) {
    ClientOptions options;
    config::RedisUri uri;
    EXPECT_EQ(commandDeadline(uri, options), options.timeout);
    uri.socketTimeoutSet = true;
    for (double seconds : {1e300, 1e17, 9.3e15, 3e6}) {
        uri.socketTimeout = seconds;
        EXPECT_EQ(commandDeadline(uri, options), std::chrono::milliseconds(INT32_MAX)) << seconds;
    }
    uri.socketTimeout = 0.25;
    EXPECT_EQ(commandDeadline(uri, options), std::chrono::milliseconds(250));
    uri.socketTimeout = 1e-9;
    EXPECT_EQ(commandDeadline(uri, options), std::chrono::milliseconds(1));
}

TEST_F(RedisClientTest, ClusterUrisMakeAClusterClientOnDatabaseZeroOnly) {
    config::RedisUri uri = nodeUri(7000);
    uri.cluster = true;
    uri.clusterNodes = {{"127.0.0.1", 7000}};
    std::string error;
    EXPECT_TRUE(clientSupports(uri, error)) << error;
    auto made = makeClient(dispatcher_, uri, {}, error);
    EXPECT_NE(dynamic_cast<ClusterClient*>(made.get()), nullptr);
    uri.db = 2;
    EXPECT_FALSE(clientSupports(uri, error));
    EXPECT_NE(error.find("database 0 only"), std::string::npos) << error;
    EXPECT_EQ(makeClient(dispatcher_, uri, {}, error), nullptr);
}

TEST_F(RedisClientTest, SentinelDiscoveryMovesTheAnsweringSentinelFirst) {
    RedisServer master;
    SentinelProcess sentinel(master.port(), "grp");
    int dead = freePort();  // nobody listens there
    SentinelClientOptions options;
    options.timeout = std::chrono::milliseconds(1000);
    options.sentinelTimeout = std::chrono::milliseconds(1000);
    options.sentinels = {{"127.0.0.1", dead, ""}, {"127.0.0.1", sentinel.port(), ""}};
    options.masterName = "grp";
    SentinelClient redis(dispatcher_, options);
    redis.start();
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return redis.ready(); }));
    EXPECT_EQ(redis.master().port, master.port());
    ASSERT_EQ(redis.sentinels().size(), 2u);
    EXPECT_EQ(redis.sentinels().front().port, sentinel.port());
    EXPECT_TRUE(call(redis, {"SET", "a", "1"}).ok());
    EXPECT_EQ(master.command({"GET", "a"})->str, std::string("1"));
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return redis.watching(); }));

    // An unknown master name: no sentinel knows it, calls answer 503 at once.
    SentinelClientOptions unknown = options;
    unknown.masterName = "nope";
    SentinelClient lost(dispatcher_, unknown);
    lost.start();
    spin(dispatcher_, std::chrono::milliseconds(300));
    EXPECT_FALSE(lost.ready());
    auto failed = call(lost, {"PING"});
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().kind, ErrorKind::Unavailable);
}

TEST_F(RedisClientTest, SentinelClientServesOnlyAMaster) {
    RedisServer master;
    RedisServer other;
    SentinelProcess sentinel(master.port(), "grp");
    SentinelClientOptions options;
    options.sentinels = {{"127.0.0.1", sentinel.port(), ""}};
    options.masterName = "grp";
    SentinelClient redis(dispatcher_, options);
    redis.start();
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return redis.ready(); }));
    // The master turns replica behind the sentinel's back: the write answers READONLY (or
    // the connection closes), the client reconnects, ROLE says slave: nothing is served.
    master.command({"REPLICAOF", "127.0.0.1", std::to_string(other.port())});
    auto write = call(redis, {"SET", "a", "1"});
    EXPECT_TRUE(!write.ok() || write.value().isError());
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return !redis.ready(); }));
    spin(dispatcher_, std::chrono::milliseconds(300));
    EXPECT_FALSE(redis.ready());
    auto refused = call(redis, {"GET", "a"});
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().kind, ErrorKind::Unavailable);
    // A master again: served again.
    master.command({"REPLICAOF", "NO", "ONE"});
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return redis.ready(); }));
    EXPECT_TRUE(call(redis, {"SET", "a", "2"}).ok());
}

TEST_F(RedisClientTest, SentinelUriLogsInToSentinelsAndMaster) {
    RedisServer master({"--requirepass", "masterpw"});
    SentinelProcess sentinel(master.port(), "grp", "sentinelpw", "masterpw");
    std::string error;
    config::RedisUri uri;
    ASSERT_TRUE(
        config::parseRedisUri("redis://:masterpw@127.0.0.1:" + std::to_string(sentinel.port()) +
                                  "?master=grp&sentinel_password=sentinelpw",
                              uri, error))
        << error;
    auto redis = client(uri, std::chrono::milliseconds(1000));
    redis->start();
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return redis->ready(); }));
    EXPECT_TRUE(call(*redis, {"PING"}).ok());

    // Wrong sentinel password: discovery fails, nothing is served.
    ASSERT_TRUE(
        config::parseRedisUri("redis://:masterpw@127.0.0.1:" + std::to_string(sentinel.port()) +
                                  "?master=grp&sentinel_password=wrong",
                              uri, error));
    auto refused = client(uri, std::chrono::milliseconds(1000));
    refused->start();
    spin(dispatcher_, std::chrono::milliseconds(500));
    EXPECT_FALSE(refused->ready());
}

// Write concern: WAIT pipelined behind every acknowledged write.
class RedisWaitTest : public RedisDriverTest {
  protected:
    // A replica's first sync starts at once (the default waits 5 s for more replicas).
    RedisWaitTest() : RedisDriverTest({"--repl-diskless-sync-delay", "0"}) {}
    void configure(config::Config& config) override {
        config.redis_wait_replicas = 1;
        // Long enough for a replica's acknowledgement on a loaded machine (ASan, tests in
        // parallel: 0.3 s was missed now and then), short enough for the test without one.
        config.redis_wait_timeout = 1.5;
    }
    Result<PostResult> postOne() {
        PostRequest request{{"p", "q"}, "c", {{"\"1\"", std::nullopt, std::nullopt}}, 3};
        return await<PostResult>([&](auto done) { store().messages.post(request, done); });
    }
};

TEST_F(RedisWaitTest, WritesWithoutEnoughReplicasAnswerUnavailable) {
    int64_t started = monotonicMicros();
    auto posted = postOne();
    int64_t elapsedMs = (monotonicMicros() - started) / 1000;
    ASSERT_FALSE(posted.ok());
    EXPECT_EQ(posted.error().kind, ErrorKind::Unavailable);
    EXPECT_NE(posted.error().message.find("0 of 1 replicas"), std::string::npos)
        << posted.error().message;
    EXPECT_GE(elapsedMs, 250);
    // Reads do not wait; the write itself happened on the master (not acknowledged).
    auto stats = await<QueueStats>([&](auto done) { store().queues.stats({"p", "q"}, done); });
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->total, 1);
    // A queue delete is a plain-command write: it waits too.
    auto removed = await<Unit>([&](auto done) { store().queues.remove({"p", "q"}, done); });
    ASSERT_FALSE(removed.ok());
    // The connection stays usable (WAIT's own time is not a missed deadline).
    EXPECT_TRUE(driver_->ready());
}

// A write waiting for a replica that is not there does not hold up the calls behind it:
// WAIT blocks only the write connection, reads go over the main one. A password and a
// database other than 0: the write connection logs in and selects it too (else the read
// below would not see the write).
class RedisWaitAloneTest : public RedisDriverTest {
  protected:
    RedisWaitAloneTest() : RedisDriverTest({"--requirepass", "pw"}) {}
    void configure(config::Config& config) override {
        config.message_store_redis.password = "pw";
        config.message_store_redis.db = 3;
        config.redis_wait_replicas = 1;
        config.redis_wait_timeout = 2.0;
    }
};

TEST_F(RedisWaitAloneTest, ReadsDoNotQueueBehindAWaitingWrite) {
    std::optional<Result<PostResult>> posted;
    int64_t started = monotonicMicros();
    PostRequest request{{"p", "q"}, "c", {{"\"1\"", std::nullopt, std::nullopt}}, 3};
    store().messages.post(request, [&](Result<PostResult> r) { posted.emplace(std::move(r)); });
    // Long enough for the FCALL to run and its WAIT to start blocking.
    spin(dispatcher_, std::chrono::milliseconds(200));
    ASSERT_FALSE(posted.has_value());
    int64_t readStarted = monotonicMicros();
    auto stats = await<QueueStats>([&](auto done) { store().queues.stats({"p", "q"}, done); });
    int64_t readMs = (monotonicMicros() - readStarted) / 1000;
    ASSERT_TRUE(stats.ok()) << stats.error().message;
    EXPECT_LT(readMs, 1000);  // well before WAIT's 2 s
    EXPECT_FALSE(posted.has_value());
    // The write ran on the master before its WAIT: the read sees it.
    EXPECT_EQ(stats->total, 1);
    // The write itself still answers only after WAIT gave up: 503.
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return posted.has_value(); }));
    int64_t writeMs = (monotonicMicros() - started) / 1000;
    ASSERT_FALSE(posted->ok());
    EXPECT_EQ(posted->error().kind, ErrorKind::Unavailable);
    EXPECT_NE(posted->error().message.find("0 of 1 replicas"), std::string::npos)
        << posted->error().message;
    EXPECT_GE(writeMs, 1900);
    EXPECT_TRUE(driver_->ready());
}

TEST_F(RedisWaitTest, WritesConfirmedByAReplicaSucceed) {
    RedisServer replica({"--replicaof", "127.0.0.1", std::to_string(server_.port())});
    ASSERT_TRUE(runUntil(
        dispatcher_,
        [&] {
            // The master counts a replica for WAIT once it is online there (after its
            // first REPLCONF ACK), which can follow the replica's link being up.
            auto info = server_.command({"INFO", "replication"});
            return info &&
                   std::string(info->str, info->len).find("state=online") != std::string::npos;
        },
        std::chrono::milliseconds(10000)));
    auto posted = postOne();
    ASSERT_TRUE(posted.ok()) << posted.error().message;
    ASSERT_EQ(posted->ids.size(), 1u);
    // Acknowledged means on the replica already.
    auto body = replica.command({"HGET", "z:e:{p/q}", posted->ids[0]});  // the message
    ASSERT_TRUE(body);
    EXPECT_EQ(body->type, REDIS_REPLY_STRING);
    auto removed = await<Unit>([&](auto done) { store().queues.remove({"p", "q"}, done); });
    EXPECT_TRUE(removed.ok());
}

}  // namespace
}  // namespace zaqard::testing
