// The WebSocket push path (transports/websocket/push_channel.h) over the storage's pub/sub
// (storage/redis/redis_pubsub.h): two listeners on one real redis-server stand for two
// processes; a frame published for a connection id reaches the listener its id names, and
// only that one, also after Redis restarts. Plus the id helpers and the frame codec's MessagePack
// round trip.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "storage/redis/client/client_factory.h"
#include "storage/redis/redis_pubsub.h"
#include "test_redis_support.h"
#include "transports/websocket/frame_codec.h"
#include "transports/websocket/push_channel.h"

namespace zaqard::websocket {
namespace {

using redis_testing::runUntil;

struct Delivered {
    std::string connectionId;
    std::string frame;
};

class PushChannelTest : public ::testing::Test {
  protected:
    void SetUp() override {
        uri_.host = "127.0.0.1";
        uri_.port = server_.port();
        uri_.original = "redis://127.0.0.1:" + std::to_string(server_.port());
        std::string error;
        client_ =
            storage::redis::makeClient(dispatcher_, uri_, {std::chrono::milliseconds(500)}, error);
        ASSERT_TRUE(client_) << error;
        client_->start();
        pubsub_ = std::make_unique<storage::redis::RedisPubSub>(*client_);
    }

    std::unique_ptr<PushChannel> listener(const std::string& id, std::vector<Delivered>& out) {
        auto channel = std::make_unique<PushChannel>(
            *pubsub_, id, [&out](const std::string& connectionId, Json frame) {
                out.push_back({connectionId, frame.dump()});
            });
        channel->start();
        return channel;
    }

    redis_testing::RedisServer server_;
    event::Dispatcher dispatcher_;
    config::RedisUri uri_;
    std::unique_ptr<storage::redis::RedisClient> client_;
    std::unique_ptr<storage::redis::RedisPubSub> pubsub_;
};

TEST_F(PushChannelTest, FrameReachesTheListenerItsIdNames) {
    std::vector<Delivered> a, b;
    auto first = listener("aaaa", a);
    auto second = listener("bbbb", b);
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return first->subscribed() && second->subscribed(); }));

    std::optional<bool> received;
    Json note = Json::object().set("queue_name", Json::string("q"));
    first->publish("bbbb.1234", note, [&](bool r) { received = r; });
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return !b.empty() && received.has_value(); }));
    EXPECT_TRUE(*received);
    EXPECT_TRUE(a.empty());
    EXPECT_EQ(b[0].connectionId, "bbbb.1234");
    EXPECT_EQ(b[0].frame, note.dump());
}

TEST_F(PushChannelTest, NobodyListeningOrNoListenerPart) {
    std::vector<Delivered> a;
    auto first = listener("aaaa", a);
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return first->subscribed(); }));
    std::optional<bool> gone, malformed;
    first->publish("cccc.1", Json::object(), [&](bool r) { gone = r; });
    first->publish("no-listener", Json::object(), [&](bool r) { malformed = r; });
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return gone && malformed; }));
    EXPECT_FALSE(*gone);
    EXPECT_FALSE(*malformed);
}

TEST_F(PushChannelTest, ResubscribesAfterRedisRestarts) {
    std::vector<Delivered> a;
    auto first = listener("aaaa", a);
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return first->subscribed(); }));
    server_.stop();
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return !first->subscribed(); }));
    server_.start();
    ASSERT_TRUE(runUntil(
        dispatcher_, [&] { return first->subscribed(); }, std::chrono::milliseconds(10000)));
    auto reply = server_.command({"PUBLISH", "zaqard:ws:aaaa", "aaaa.9 {\"n\": 1}"});
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->integer, 1);
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return !a.empty(); }));
    EXPECT_EQ(a[0].connectionId, "aaaa.9");
    EXPECT_EQ(a[0].frame, parseJsonValue("{\"n\": 1}").dump());
}

TEST(PushChannelIds, ChannelNamesComeFromTheConnectionId) {
    EXPECT_EQ(PushChannel::listenerOf("abc.def"), "abc");
    EXPECT_EQ(PushChannel::channelFor("abc.def"), "zaqard:ws:abc");
    EXPECT_EQ(PushChannel::channelFor("nodot"), "");
    EXPECT_EQ(PushChannel::channelFor(".x"), "");
    std::string id = PushChannel::newListenerId();
    EXPECT_EQ(id.size(), 16u);
    EXPECT_NE(id, PushChannel::newListenerId());
}

TEST(FrameCodec, MessagePackRoundTripAndErrors) {
    Json value = parseJsonValue(R"({"a": [1, -2, 2.5, true, null, "é"], "b": {}})");
    std::string packed = jsonToMsgpack(value.get());
    DecodedFrame frame = decodeFrame(FrameKind::Binary, packed);
    ASSERT_TRUE(frame.value) << frame.error;
    EXPECT_TRUE(json_equal(frame.value.get(), value.get()));

    DecodedFrame bad = decodeFrame(FrameKind::Binary, std::string("\xc1", 1));
    EXPECT_FALSE(bad.value);
    EXPECT_EQ(bad.error.rfind("Can't decode binary (MessagePack) request. ", 0), 0u);
    DecodedFrame badText = decodeFrame(FrameKind::Text, "{nope");
    EXPECT_EQ(badText.error.rfind("Can't decode text (JSON) request. ", 0), 0u);
}

}  // namespace
}  // namespace zaqard::websocket
