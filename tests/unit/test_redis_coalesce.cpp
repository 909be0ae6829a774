// Coalesced Redis calls (storage/redis/client/coalescing_client.h, scripts/_batch.lua)
// against a real redis-server: the calls one loop turn makes to one queue go as one
// FCALL (INFO commandstats counts them), each caller still gets its own reply or error,
// order per queue is kept, and [zaqard] redis_coalesce = false sends every call alone.
#include <set>

#include "src/common/json.h"
#include "storage/redis/client/client_factory.h"
#include "storage/redis/client/coalescing_client.h"
#include "storage/redis/embedded_scripts.h"
#include "storage/redis/script_runner.h"
#include "test_redis_support.h"

namespace zaqard::testing {
namespace {

using namespace storage;
using namespace storage::redis;

// calls=N of `cmdstat_<command>` in INFO commandstats (0 when absent).
int64_t commandCalls(const RedisServer& server, const std::string& command) {
    auto info = server.command({"INFO", "commandstats"});
    if (!info || info->type != REDIS_REPLY_STRING) return -1;
    std::string text(info->str, info->len);
    auto at = text.find("cmdstat_" + command + ":calls=");
    if (at == std::string::npos) return 0;
    return std::stoll(text.substr(at + command.size() + 15));
}

// A library of its own around the real _batch.lua: `echo` appends ARGV[1] to the list
// KEYS[1] and answers {ARGV[1], list length}; "fail" makes a failing redis.call, "boom" a
// Lua error, "refuse" returns an error reply, "none" returns nil.
const ScriptLibrary& toyLibrary() {
    static const ScriptLibrary library = [] {
        std::string batch;
        for (const auto& script : embeddedScripts())
            if (std::string_view(script.name) == "_batch") batch = script.source;
        static std::string lib =
            "#!lua\nlocal L\nlocal function begin_call(keys) L = keys[1] end\n";
        static std::string echo =
            "#!lua\n"
            "if ARGV[1] == 'fail' then return redis.call('INCR', L) end\n"
            "if ARGV[1] == 'boom' then error('boom') end\n"
            "if ARGV[1] == 'refuse' then return redis.error_reply('ERR refused') end\n"
            "if ARGV[1] == 'none' then return nil end\n"
            "return {ARGV[1], redis.call('RPUSH', L, ARGV[1])}\n";
        static std::string batchCopy = batch;
        std::vector<EmbeddedScript> scripts{
            {"_lib", lib.c_str()}, {"_batch", batchCopy.c_str()}, {"echo", echo.c_str()}};
        return composeLibrary(scripts, [](std::string_view name) { return name == "echo"; });
    }();
    return library;
}

std::optional<BatchTarget> toyTarget(std::string_view function) {
    const auto& library = toyLibrary();
    if (function != library.scripts.front().function) return std::nullopt;
    return BatchTarget{library.batchFunction, "echo"};
}

Command echo(const std::string& key, const std::string& word) {
    return Command::keyAt({"FCALL", toyLibrary().scripts.front().function, "1", key, word}, 3);
}

class CoalescingClientTest : public ::testing::Test {
  protected:
    void SetUp() override {
        config::RedisUri uri;
        uri.host = "127.0.0.1";
        uri.port = server_.port();
        uri.original = "redis://127.0.0.1:" + std::to_string(server_.port());
        std::string error;
        auto inner = makeClient(dispatcher_, uri, {std::chrono::milliseconds(1000)}, error);
        ASSERT_TRUE(inner) << error;
        client_ = std::make_unique<CoalescingClient>(dispatcher_, std::move(inner), toyTarget);
        client_->setHandshake([] {
            return std::vector<Command>{
                Command::keyless({"FUNCTION", "LOAD", "REPLACE", toyLibrary().source})};
        });
        client_->start();
        ASSERT_TRUE(runUntil(dispatcher_, [this] { return client_->ready(); }));
        server_.command({"CONFIG", "RESETSTAT"});
    }

    std::vector<std::string> list(const std::string& key) {
        auto reply = server_.command({"LRANGE", key, "0", "-1"});
        std::vector<std::string> out;
        for (size_t i = 0; reply && i < reply->elements; ++i)
            out.emplace_back(reply->element[i]->str, reply->element[i]->len);
        return out;
    }

    RedisServer server_;
    event::Dispatcher dispatcher_;
    std::unique_ptr<CoalescingClient> client_;
};

TEST_F(CoalescingClientTest, OneTurnsCallsGoAsOneBatchWithAnAnswerEach) {
    const std::vector<std::string> words{"a", "fail", "b", "boom", "refuse", "none", "c"};
    std::vector<std::optional<Result<RedisValue>>> out(words.size());
    for (size_t i = 0; i < words.size(); ++i)
        client_->command(echo("{q}:l", words[i]),
                         [&out, i](Result<RedisValue> r) { out[i].emplace(std::move(r)); });
    ASSERT_TRUE(runUntil(dispatcher_, [&] {
        for (auto& o : out)
            if (!o) return false;
        return true;
    }));
    EXPECT_EQ(commandCalls(server_, "fcall"), 1);
    for (auto& o : out) ASSERT_TRUE(o->ok());
    auto pair = [](const RedisValue& v) {
        return v.at(0).str + "/" + std::to_string(v.at(1).integer);
    };
    EXPECT_EQ(pair(out[0]->value()), "a/1");
    EXPECT_TRUE(out[1]->value().isError());  // INCR of a list: WRONGTYPE, its own error
    EXPECT_NE(out[1]->value().str.find("WRONGTYPE"), std::string::npos) << out[1]->value().str;
    EXPECT_EQ(pair(out[2]->value()), "b/2");  // the calls after a failure still run
    EXPECT_TRUE(out[3]->value().isError());
    EXPECT_NE(out[3]->value().str.find("boom"), std::string::npos) << out[3]->value().str;
    EXPECT_TRUE(out[4]->value().isError());
    EXPECT_EQ(out[4]->value().str, "ERR refused");
    EXPECT_TRUE(out[5]->value().isNil());
    EXPECT_EQ(pair(out[6]->value()), "c/3");
    EXPECT_EQ(list("{q}:l"), (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(CoalescingClientTest, OtherCallsOnTheQueueKeepTheirPlace) {
    int answered = 0;
    auto count = [&answered](Result<RedisValue>) { ++answered; };
    client_->command(echo("{q}:l", "1"), count);
    client_->command(echo("{q}:l", "2"), count);
    client_->command({"RPUSH", "{q}:l", "plain"}, count);  // sends the group first
    client_->command(echo("{q}:l", "3"), count);
    client_->command(echo("{other}:l", "x"), count);  // another queue: its own group
    client_->command(echo("{q}:l", "4"), count);
    client_->pipeline({{"RPUSH", "{q}:l", "piped"}},
                      [&answered](Result<std::vector<RedisValue>>) { ++answered; });
    client_->command(echo("{q}:l", "5"), count);
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return answered == 8; }));
    EXPECT_EQ(list("{q}:l"), (std::vector<std::string>{"1", "2", "plain", "3", "4", "piped", "5"}));
    // {1,2} as one batch, {3,4} as one batch (the other queue did not split it), 5 and x alone.
    EXPECT_EQ(commandCalls(server_, "fcall"), 4);
}

TEST_F(CoalescingClientTest, CallsBehindTwoInFlightWaitAndGoAsOneBatch) {
    std::vector<std::optional<Result<RedisValue>>> out(5);
    auto issue = [&](size_t i) {
        client_->command(echo("{q}:l", std::to_string(i)),
                         [&out, i](Result<RedisValue> r) { out[i].emplace(std::move(r)); });
    };
    auto turn = [this] {
        for (int i = 0; i < 3; ++i) event_base_loop(dispatcher_.base(), EVLOOP_NONBLOCK);
    };
    server_.pause();  // nothing answers: calls stay in flight
    issue(0);
    turn();  // sent alone
    issue(1);
    turn();  // sent alone: two in flight
    issue(2);
    issue(3);
    turn();
    issue(4);
    turn();  // 2, 3, 4 parked behind them, across turns
    server_.resume();
    ASSERT_TRUE(runUntil(dispatcher_, [&] {
        for (auto& o : out)
            if (!o) return false;
        return true;
    }));
    EXPECT_EQ(commandCalls(server_, "fcall"), 3);  // 0, 1, then {2, 3, 4}
    for (size_t i = 0; i < out.size(); ++i) {
        ASSERT_TRUE(out[i]->ok());
        EXPECT_EQ(out[i]->value().at(0).str, std::to_string(i));
        EXPECT_EQ(out[i]->value().at(1).integer, static_cast<int64_t>(i + 1));
    }
    EXPECT_EQ(list("{q}:l"), (std::vector<std::string>{"0", "1", "2", "3", "4"}));
}

TEST_F(CoalescingClientTest, WriteConcernTrailerAnswersEveryCaller) {
    std::vector<std::optional<Result<std::vector<RedisValue>>>> out(3);
    for (size_t i = 0; i < out.size(); ++i)
        client_->pipeline(
            {echo("{q}:l", std::to_string(i)), Command::keyless({"WAIT", "0", "0"})},
            [&out, i](Result<std::vector<RedisValue>> r) { out[i].emplace(std::move(r)); });
    ASSERT_TRUE(runUntil(dispatcher_, [&] { return out[0] && out[1] && out[2]; }));
    EXPECT_EQ(commandCalls(server_, "fcall"), 1);
    EXPECT_EQ(commandCalls(server_, "wait"), 1);
    for (size_t i = 0; i < out.size(); ++i) {
        ASSERT_TRUE(out[i]->ok());
        ASSERT_EQ(out[i]->value().size(), 2u);
        EXPECT_EQ(out[i]->value()[0].at(0).str, std::to_string(i));
        EXPECT_EQ(out[i]->value()[0].at(1).integer, static_cast<int64_t>(i + 1));
        EXPECT_EQ(out[i]->value()[1].integer, 0);  // WAIT's reply, for each
    }
}

TEST_F(CoalescingClientTest, NoAnswerReachesEveryCaller) {
    server_.pause();  // the batch's deadline passes
    std::vector<std::optional<Result<RedisValue>>> out(3);
    for (size_t i = 0; i < out.size(); ++i)
        client_->command(echo("{q}:l", "w"),
                         [&out, i](Result<RedisValue> r) { out[i].emplace(std::move(r)); });
    bool answered = runUntil(dispatcher_, [&] { return out[0] && out[1] && out[2]; });
    server_.resume();
    ASSERT_TRUE(answered);
    for (auto& o : out) {
        ASSERT_FALSE(o->ok());
        EXPECT_EQ(o->error().kind, ErrorKind::Unavailable);
    }
}

// The real driver and scripts: posts of one turn to one queue.
class CoalescedPostsTest : public RedisDriverTest {
  protected:
    QueueRef queue{"proj", "q1"};
    static constexpr int kPosts = 12;

    // Posts kPosts requests in one loop turn; those at `tooLarge` exceed the queue's
    // _max_messages_post_size (50). Their results, in order.
    std::vector<Result<PostResult>> postOneTurn(const std::set<int>& tooLarge) {
        auto created = await<bool>([&](auto done) {
            store().queues.create(
                queue, Json::adopt(json_pack("{s:i}", "_max_messages_post_size", 50)), done);
        });
        EXPECT_TRUE(created.ok());
        spin(dispatcher_, std::chrono::milliseconds(50));  // queue_indexed, not awaited
        server_.command({"CONFIG", "RESETSTAT"});
        std::vector<std::optional<Result<PostResult>>> out(kPosts);
        for (int i = 0; i < kPosts; ++i) {
            PostRequest request{queue,
                                "11111111-1111-4111-8111-111111111111",
                                {{"{\"n\":" + std::to_string(i) + "}", std::nullopt, std::nullopt}},
                                tooLarge.count(i) ? 100 : 10};
            store().messages.post(
                request, [&out, i](Result<PostResult> r) { out[i].emplace(std::move(r)); });
        }
        EXPECT_TRUE(runUntil(dispatcher_, [&] {
            for (auto& o : out)
                if (!o) return false;
            return true;
        }));
        std::vector<Result<PostResult>> results;
        for (auto& o : out)
            results.push_back(o ? std::move(*o)
                                : Result<PostResult>(Error{ErrorKind::Unavailable, "none"}));
        return results;
    }

    std::vector<std::string> listed() {
        ListRequest request{queue, "",   20, true, "11111111-1111-4111-8111-111111111111",
                            false, false};
        auto page = await<MessagePage>([&](auto done) { store().messages.list(request, done); });
        std::vector<std::string> ids;
        if (page.ok())
            for (const auto& m : page->messages) ids.push_back(m.id);
        return ids;
    }
};

TEST_F(CoalescedPostsTest, OneFcallEachItsOwnAnswerInOrder) {
    auto results = postOneTurn({3, 7});
    EXPECT_EQ(commandCalls(server_, "fcall"), 1);
    std::vector<std::string> accepted;
    for (int i = 0; i < kPosts; ++i) {
        ASSERT_TRUE(results[i].ok()) << i;
        if (i == 3 || i == 7) {  // refused inside the batch, alone
            EXPECT_EQ(results[i]->refusal, PostRefusal::TooLargeForQueue) << i;
            EXPECT_TRUE(results[i]->ids.empty());
            continue;
        }
        EXPECT_EQ(results[i]->refusal, PostRefusal::None) << i;
        ASSERT_EQ(results[i]->ids.size(), 1u);
        accepted.push_back(results[i]->ids[0]);
    }
    EXPECT_EQ(std::set<std::string>(accepted.begin(), accepted.end()).size(), accepted.size());
    EXPECT_EQ(listed(), accepted);  // FIFO: the order the posts were made

    // Claims of one turn: one FCALL, disjoint messages.
    server_.command({"CONFIG", "RESETSTAT"});
    std::vector<std::optional<Result<ClaimResult>>> claims(5);
    for (size_t i = 0; i < claims.size(); ++i)
        store().claims.create(ClaimRequest{queue, 60, 60, 2}, [&claims, i](Result<ClaimResult> r) {
            claims[i].emplace(std::move(r));
        });
    ASSERT_TRUE(runUntil(dispatcher_, [&] {
        for (auto& c : claims)
            if (!c) return false;
        return true;
    }));
    EXPECT_EQ(commandCalls(server_, "fcall"), 1);
    std::vector<std::string> claimed;
    for (auto& c : claims) {
        ASSERT_TRUE(c->ok());
        ASSERT_EQ(c->value().messages.size(), 2u);
        for (const auto& m : c->value().messages) claimed.push_back(m.id);
    }
    EXPECT_EQ(claimed, accepted);  // first claim the oldest two, and so on
}

class UncoalescedPostsTest : public CoalescedPostsTest {
  protected:
    void configure(config::Config& config) override { config.redis_coalesce = false; }
};

TEST_F(UncoalescedPostsTest, RedisCoalesceFalseSendsEveryCallAlone) {
    auto results = postOneTurn({3});
    EXPECT_EQ(commandCalls(server_, "fcall"), kPosts);
    EXPECT_EQ(results[3]->refusal, PostRefusal::TooLargeForQueue);
    EXPECT_EQ(listed().size(), static_cast<size_t>(kPosts - 1));
}

}  // namespace
}  // namespace zaqard::testing
