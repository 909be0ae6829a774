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

// Found by fuzzing (tests/fuzz/fuzz_ws_frame.cpp): MessagePack floats may be NaN or
// infinite, which JSON (jansson) cannot hold; the refusal said "Can't decode ... request. "
// and nothing more.
TEST(FrameCodec, NonFiniteMessagePackFloatsAreRefusedWithAReason) {
    for (const char* packed : {"\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00",  // float64 NaN
                               "\xca\xff\x80\x00\x00",                  // float32 -inf
                               "\x81\xa1\x78\xcb\x7f\xf0\x00\x00\x00\x00\x00\x00"}) {
        size_t size = packed[0] == '\xca' ? 5 : packed[0] == '\xcb' ? 9 : 12;
        DecodedFrame frame = decodeFrame(FrameKind::Binary, std::string(packed, size));
        EXPECT_FALSE(frame.value);
        EXPECT_EQ(frame.error,
                  "Can't decode binary (MessagePack) request. ValueError: Out of range float "
                  "values are not JSON compliant");
    }
}

// Found by fuzzing: msgpack-c allocates a container's elements from its header, so a
// 5-byte "array of 2^32 elements" frame asked for 96 GiB (ASan: out of memory).
TEST(FrameCodec, ContainerHeadersLargerThanTheFrameAreRefused) {
    for (std::string packed :
         {std::string("\xdd\xff\xff\xff\xff", 5), std::string("\xdf\x10\x00\x00\x00", 5),
          std::string("\x91\xdc\xff\xff\x01", 5), std::string("\x92\x01", 2)}) {
        DecodedFrame frame = decodeFrame(FrameKind::Binary, packed);
        EXPECT_FALSE(frame.value);
        EXPECT_EQ(frame.error,
                  "Can't decode binary (MessagePack) request. ValueError: Unpack failed");
    }
    // An empty string (or bin) on its own is "", not invalid UTF-8.
    for (std::string packed : {std::string("\xa0", 1), std::string("\xc4\x00", 2)}) {
        DecodedFrame empty = decodeFrame(FrameKind::Binary, packed);
        ASSERT_TRUE(empty.value) << empty.error;
        EXPECT_EQ(empty.value.dump(), "\"\"");
    }
    DecodedFrame fits = decodeFrame(FrameKind::Binary, std::string("\x92\x01\xc0", 3));
    ASSERT_TRUE(fits.value) << fits.error;
    EXPECT_EQ(fits.value.dump(), "[1,null]");
}

}  // namespace
}  // namespace zaqard::websocket
