// Redis driver: claims (atomicity, renew, release, expiry, dead letters) and stats.
#include <set>

#include "test_redis_support.h"

namespace zaqard::testing {
namespace {

using namespace storage;

const std::string kClient = "11111111-1111-4111-8111-111111111111";

class RedisClaimsTest : public RedisDriverTest {
  protected:
    QueueRef queue{"proj", "cq"};

    std::vector<std::string> post(const QueueRef& q, int count,
                                  std::optional<int64_t> ttl = std::nullopt) {
        PostRequest request;
        request.queue = q;
        request.clientId = kClient;
        for (int i = 0; i < count; ++i)
            request.messages.push_back({std::to_string(i), ttl, std::nullopt});
        auto result = await<PostResult>([&](auto done) { store().messages.post(request, done); });
        EXPECT_TRUE(result.ok());
        return result.ok() ? result->ids : std::vector<std::string>{};
    }

    ClaimResult claim(int64_t limit, int64_t ttl = 60, int64_t grace = 60, QueueRef q = {}) {
        if (q.name.empty()) q = queue;
        auto result = await<ClaimResult>([&](auto done) {
            store().claims.create(ClaimRequest{q, ttl, grace, limit}, done);
        });
        EXPECT_TRUE(result.ok());
        return result.ok() ? result.value() : ClaimResult{};
    }

    static std::vector<std::string> ids(const std::vector<Message>& messages) {
        std::vector<std::string> out;
        for (const auto& m : messages) out.push_back(m.id);
        return out;
    }
};

TEST_F(RedisClaimsTest, ClaimsNeverShareMessages) {
    // Zaqar's double-delivery scenario: claim m1, claim m2, release m1, claim 3.
    auto posted = post(queue, 3);
    auto first = claim(1);
    auto second = claim(1);
    EXPECT_EQ(ids(first.messages), std::vector<std::string>{posted[0]});
    EXPECT_EQ(ids(second.messages), std::vector<std::string>{posted[1]});
    ASSERT_TRUE(
        await<Unit>([&](auto done) { store().claims.release(queue, first.claimId, done); }).ok());
    auto third = claim(3);
    EXPECT_EQ(ids(third.messages), (std::vector<std::string>{posted[0], posted[2]}));
    for (const auto& m : third.messages) EXPECT_EQ(m.claimId, third.claimId);
    EXPECT_TRUE(claim(5).claimId.empty());

    // Many concurrent claims (pipelined on one connection) partition the messages.
    auto more = post(queue, 20);
    std::vector<std::optional<Result<ClaimResult>>> results(8);
    for (size_t i = 0; i < results.size(); ++i)
        store().claims.create(ClaimRequest{queue, 60, 60, 3}, [&results, i](Result<ClaimResult> r) {
            results[i].emplace(std::move(r));
        });
    ASSERT_TRUE(runUntil(dispatcher_, [&] {
        for (auto& r : results)
            if (!r) return false;
        return true;
    }));
    std::set<std::string> seen;
    size_t total = 0;
    for (auto& r : results) {
        ASSERT_TRUE(r->ok());
        for (const auto& m : r->value().messages) seen.insert(m.id), ++total;
    }
    EXPECT_EQ(total, 20u);
    EXPECT_EQ(seen.size(), 20u);
}

TEST_F(RedisClaimsTest, GetRenewRelease) {
    auto posted = post(queue, 2, 100);
    auto held = claim(5, 200, 30);
    ASSERT_EQ(held.messages.size(), 2u);
    // Messages that would expire before the claim get ttl = claim ttl + grace.
    EXPECT_EQ(held.messages[0].ttl, 230);

    auto info = await<ClaimInfo>([&](auto done) { store().claims.get(queue, held.claimId, done); });
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->ttl, 200);
    EXPECT_EQ(info->age, 0);
    EXPECT_EQ(ids(info->messages), posted);

    ASSERT_TRUE(await<Unit>([&](auto done) {
                    store().claims.renew(queue, held.claimId, 400, 50, done);
                }).ok());
    info = await<ClaimInfo>([&](auto done) { store().claims.get(queue, held.claimId, done); });
    EXPECT_EQ(info->ttl, 400);
    EXPECT_EQ(info->messages[0].ttl, 450);

    ListRequest listing{queue, "", 10, true, kClient, false, true};
    auto page = await<MessagePage>([&](auto done) { store().messages.list(listing, done); });
    EXPECT_TRUE(page->messages.empty());
    listing.includeClaimed = true;
    page = await<MessagePage>([&](auto done) { store().messages.list(listing, done); });
    ASSERT_EQ(page->messages.size(), 2u);
    EXPECT_EQ(page->messages[0].claimId, held.claimId);

    ASSERT_TRUE(
        await<Unit>([&](auto done) { store().claims.release(queue, held.claimId, done); }).ok());
    auto gone = await<ClaimInfo>([&](auto done) { store().claims.get(queue, held.claimId, done); });
    ASSERT_FALSE(gone.ok());
    EXPECT_EQ(gone.error().kind, ErrorKind::NotFound);
    auto renewGone =
        await<Unit>([&](auto done) { store().claims.renew(queue, held.claimId, 60, 60, done); });
    EXPECT_EQ(renewGone.error().kind, ErrorKind::NotFound);
    EXPECT_TRUE(await<Unit>([&](auto done) { store().claims.release(queue, "junk", done); }).ok());
    auto junk = await<ClaimInfo>([&](auto done) { store().claims.get(queue, "junk", done); });
    EXPECT_EQ(junk.error().kind, ErrorKind::NotFound);
    EXPECT_EQ(claim(5).messages.size(), 2u);
}

TEST_F(RedisClaimsTest, ExpiredClaimFreesMessagesAndStatsStayCorrect) {
    post(queue, 3);
    auto held = claim(2, 1, 60);
    ASSERT_EQ(held.messages.size(), 2u);
    auto stats = await<QueueStats>([&](auto done) { store().queues.stats(queue, done); });
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->total, 3);
    EXPECT_EQ(stats->claimed, 2);
    EXPECT_EQ(stats->free, 1);
    ASSERT_TRUE(stats->oldest && stats->newest);
    EXPECT_EQ(stats->oldest->id, held.messages[0].id);

    spin(dispatcher_, std::chrono::milliseconds(1100));
    stats = await<QueueStats>([&](auto done) { store().queues.stats(queue, done); });
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->claimed, 0);
    EXPECT_EQ(stats->free, 3);
    auto gone = await<ClaimInfo>([&](auto done) { store().claims.get(queue, held.claimId, done); });
    EXPECT_EQ(gone.error().kind, ErrorKind::NotFound);
    EXPECT_EQ(claim(10).messages.size(), 3u);

    auto empty = await<QueueStats>([&](auto done) {
        store().queues.stats({"proj", "none"}, done);
    });
    EXPECT_EQ(empty->total, 0);
    EXPECT_FALSE(empty->oldest);
}

TEST_F(RedisClaimsTest, DeadLetterMovesAfterMaxClaims) {
    auto created = await<bool>([&](auto done) {
        store().queues.create(
            queue,
            Json::adopt(json_pack("{s:i,s:s,s:i}", "_max_claim_count", 1, "_dead_letter_queue",
                                  "dead", "_dead_letter_queue_messages_ttl", 500)),
            done);
    });
    ASSERT_TRUE(created.ok());
    auto posted = post(queue, 2);
    auto first = claim(1, 1, 60);
    ASSERT_EQ(first.messages.size(), 1u);
    EXPECT_EQ(first.messages[0].claimCount, 1);
    // Released: the second message reached its max claims when released -> DLQ at once.
    auto second = claim(1, 60, 60);
    ASSERT_EQ(ids(second.messages), std::vector<std::string>{posted[1]});
    ASSERT_TRUE(
        await<Unit>([&](auto done) { store().claims.release(queue, second.claimId, done); }).ok());
    // The first one's claim expires; the next call's housekeeping moves it.
    spin(dispatcher_, std::chrono::milliseconds(1100));
    EXPECT_TRUE(claim(5).claimId.empty());

    QueueRef dead{"proj", "dead"};
    ListRequest listing{dead, "", 10, true, kClient, true, true};
    std::vector<Message> moved;
    ASSERT_TRUE(runUntil(dispatcher_, [&] {
        auto page = await<MessagePage>([&](auto done) { store().messages.list(listing, done); });
        moved = page.ok() ? page->messages : std::vector<Message>{};
        return moved.size() == 2;
    }));
    EXPECT_EQ(moved[0].ttl, 500);
    EXPECT_EQ(moved[0].claimCount, 0);
    EXPECT_EQ(moved[0].body, "1");
    EXPECT_TRUE(moved[0].claimId.empty());
    // The DLQ was created lazily and indexed.
    auto meta =
        await<std::optional<Json>>([&](auto done) { store().queues.getMetadata(dead, done); });
    EXPECT_TRUE(meta->has_value());
    auto names = await<std::vector<QueueInfo>>([&](auto done) {
        QueueListRequest request;
        request.project = "proj";
        store().queues.list(request, done);
    });
    ASSERT_EQ(names->size(), 2u);
    EXPECT_EQ(names.value()[1].name, "dead");
    auto source = await<QueueStats>([&](auto done) { store().queues.stats(queue, done); });
    EXPECT_EQ(source->total, 0);
    EXPECT_EQ(server_.command({"HLEN", "z:out:{proj/cq}"})->integer, 0);
}

// Housekeeping is skipped while the queue's due hint lies ahead: every write of an earlier
// claim expiry or delay end must lower the hint, or due work would wait for the sweeper
// (none runs in these tests).
TEST_F(RedisClaimsTest, DueHintNeverHidesDueWork) {
    auto created = await<bool>([&](auto done) {
        store().queues.create(queue, Json::adopt(json_pack("{s:i}", "_default_message_delay", 1)),
                              done);
    });
    ASSERT_TRUE(created.ok());
    PostRequest request{queue, kClient, {{"\"now\"", std::nullopt, 0}}, 10};
    ASSERT_TRUE(await<PostResult>([&](auto done) { store().messages.post(request, done); }).ok());
    // A reader sets the hint (far ahead: the message expires in an hour).
    EXPECT_EQ(claim(0).messages.size(), 0u);
    auto due = server_.command({"HGET", "z:q:{proj/cq}", "due"});
    ASSERT_EQ(due->type, REDIS_REPLY_STRING);

    // A post with a delay lowers it: the message becomes claimable when the delay ends.
    request.messages = {{"\"later\"", std::nullopt, std::nullopt}};
    auto later = await<PostResult>([&](auto done) { store().messages.post(request, done); });
    ASSERT_EQ(later->ids.size(), 1u);
    auto held = claim(10, 60, 60);
    ASSERT_EQ(held.messages.size(), 1u);  // "now" only
    spin(dispatcher_, std::chrono::milliseconds(1100));
    auto delayed = claim(10, 60, 60);
    ASSERT_EQ(ids(delayed.messages), later->ids);

    // A renew to a shorter ttl lowers it: the messages come back when that claim ends.
    ASSERT_TRUE(await<Unit>([&](auto done) {
                    store().claims.renew(queue, held.claimId, 1, 60, done);
                }).ok());
    EXPECT_EQ(claim(10).messages.size(), 0u);
    spin(dispatcher_, std::chrono::milliseconds(1100));
    auto back = claim(10, 1, 60);
    ASSERT_EQ(back.messages.size(), 1u);
    EXPECT_EQ(back.messages[0].id, held.messages[0].id);

    // A claim lowers it: its expiry frees the message at once.
    spin(dispatcher_, std::chrono::milliseconds(1100));
    EXPECT_EQ(claim(10).messages.size(), 1u);
}

}  // namespace
}  // namespace zaqard::testing
