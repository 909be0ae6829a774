// Redis driver: connection loss (fast 503), reconnection, timeouts, recovery of a lost
// function library, health ping.
#include "storage/redis/script_runner.h"
#include "test_redis_support.h"

namespace zaqard::testing {
namespace {

using namespace storage;

class RedisConnectionTest : public RedisDriverTest {
  protected:
    Result<Unit> ping() {
        return await<Unit>([&](auto done) { store().health.ping(done); });
    }
    Result<PostResult> postOne() {
        PostRequest request{{"p", "q"}, "c", {{"1", std::nullopt, std::nullopt}}, 1};
        return await<PostResult>([&](auto done) { store().messages.post(request, done); });
    }
};

TEST_F(RedisConnectionTest, PingAnswers) {
    EXPECT_TRUE(ping().ok());
}

TEST_F(RedisConnectionTest, StoppedRedisFailsFastThenRecovers) {
    ASSERT_TRUE(postOne().ok());
    server_.stop();
    // Let the driver notice the closed socket.
    runUntil(dispatcher_, [this] { return !driver_->ready(); });
    int64_t started = monotonicMicros();
    auto failed = postOne();
    int64_t elapsedMs = (monotonicMicros() - started) / 1000;
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().kind, ErrorKind::Unavailable);
    EXPECT_LT(elapsedMs, 200);
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(ping().ok());

    ASSERT_TRUE(server_.start());
    ASSERT_TRUE(runUntil(dispatcher_, [this] { return driver_->ready(); }));
    // The function library was reloaded on the new (empty) server.
    auto posted = postOne();
    ASSERT_TRUE(posted.ok());
    EXPECT_EQ(posted->ids.size(), 1u);
}

TEST_F(RedisConnectionTest, UnresponsiveRedisTimesOut) {
    server_.pause();
    int64_t started = monotonicMicros();
    auto failed = postOne();
    int64_t elapsedMs = (monotonicMicros() - started) / 1000;
    server_.resume();
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().kind, ErrorKind::Unavailable);
    EXPECT_GE(elapsedMs, 400);
    EXPECT_LT(elapsedMs, 1500);
    ASSERT_TRUE(runUntil(dispatcher_, [this] { return driver_->ready(); }));
    EXPECT_TRUE(postOne().ok());
}

TEST_F(RedisConnectionTest, FunctionFlushIsRecovered) {
    ASSERT_TRUE(postOne().ok());
    auto flushed = server_.command({"FUNCTION", "FLUSH"});
    ASSERT_EQ(flushed->type, REDIS_REPLY_STATUS);
    EXPECT_TRUE(postOne().ok());
    // Several calls in flight when the library is gone: each is reloaded and retried.
    server_.command({"FLUSHALL"});
    server_.command({"FUNCTION", "FLUSH"});
    std::vector<std::optional<Result<PostResult>>> posted(5);
    for (auto& out : posted) {
        PostRequest request{{"p", "q"}, "c", {{"1", std::nullopt, std::nullopt}}, 1};
        store().messages.post(request, [&out](Result<PostResult> r) { out.emplace(std::move(r)); });
    }
    ASSERT_TRUE(runUntil(dispatcher_, [&] {
        for (auto& out : posted)
            if (!out) return false;
        return true;
    }));
    for (auto& out : posted) EXPECT_TRUE(out->ok());
}

TEST_F(RedisConnectionTest, LibraryNamesCarryTheScriptsHash) {
    const auto& library = storage::redis::scriptLibrary();
    EXPECT_EQ(library.name.size(), std::string("zaqard_").size() + 12);
    EXPECT_EQ(library.source.rfind("#!lua name=" + library.name + "\n", 0), 0u);
    auto listed = server_.command({"FUNCTION", "LIST", "LIBRARYNAME", library.name});
    ASSERT_EQ(listed->type, REDIS_REPLY_ARRAY);
    EXPECT_EQ(listed->elements, 1u);
    for (const auto& script : storage::redis::loadedScripts())
        EXPECT_EQ(script.function, library.name + "_" + script.name);
    // Another version's library in the same Redis does not disturb this one.
    auto other = server_.command({"FUNCTION", "LOAD",
                                  "#!lua name=zaqard_000000000000\nredis.register_function("
                                  "'zaqard_000000000000_post', function() return 1 end)"});
    ASSERT_EQ(other->type, REDIS_REPLY_STRING);
    EXPECT_TRUE(postOne().ok());
}

TEST_F(RedisConnectionTest, StopFailsPendingCalls) {
    std::optional<Result<Unit>> out;
    store().health.ping([&](Result<Unit> r) { out.emplace(std::move(r)); });
    driver_->stop();
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return out.has_value(); }));
    EXPECT_FALSE(out->ok());
    EXPECT_FALSE(ping().ok());
}

class RedisPasswordTest : public RedisDriverTest {
  protected:
    RedisPasswordTest() : RedisDriverTest({"--requirepass", "s3cret"}) {}
    void configure(config::Config& config) override {
        config.message_store_redis.password = "s3cret";
        config.message_store_redis.db = 3;
    }
};

TEST_F(RedisPasswordTest, AuthenticatesAndSelectsDb) {
    auto pinged = await<Unit>([&](auto done) { store().health.ping(done); });
    EXPECT_TRUE(pinged.ok());
}

}  // namespace
}  // namespace zaqard::testing
