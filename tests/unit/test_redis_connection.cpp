// Redis driver: connection loss (fast 503), reconnection, timeouts, NOSCRIPT recovery,
// health ping.
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
    // Scripts were reloaded on the new (empty) server.
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

TEST_F(RedisConnectionTest, ScriptFlushIsRecovered) {
    ASSERT_TRUE(postOne().ok());
    auto flushed = server_.command({"SCRIPT", "FLUSH"});
    ASSERT_EQ(flushed->type, REDIS_REPLY_STATUS);
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
