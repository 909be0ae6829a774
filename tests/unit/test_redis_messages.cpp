// Redis driver: messages (post, list, get, delete, pop) against a real redis-server.
#include <set>

#include "test_redis_support.h"

namespace zaqard::testing {
namespace {

using namespace storage;

const std::string kClientA = "11111111-1111-4111-8111-111111111111";
const std::string kClientB = "22222222-2222-4222-8222-222222222222";

class RedisMessagesTest : public RedisDriverTest {
  protected:
    QueueRef queue{"proj", "q1"};

    std::vector<std::string> post(const QueueRef& q, const std::string& client, int count,
                                  std::optional<int64_t> ttl = std::nullopt) {
        PostRequest request;
        request.queue = q;
        request.clientId = client;
        for (int i = 0; i < count; ++i)
            request.messages.push_back({"{\"n\":" + std::to_string(i) + "}", ttl, std::nullopt});
        request.bodySize = 100;
        auto result = await<PostResult>([&](auto done) { store().messages.post(request, done); });
        EXPECT_TRUE(result.ok());
        return result.ok() ? result->ids : std::vector<std::string>{};
    }

    MessagePage list(ListRequest request) {
        auto page = await<MessagePage>([&](auto done) { store().messages.list(request, done); });
        EXPECT_TRUE(page.ok());
        return page.ok() ? page.value() : MessagePage{};
    }

    static std::vector<std::string> ids(const std::vector<Message>& messages) {
        std::vector<std::string> out;
        for (const auto& m : messages) out.push_back(m.id);
        return out;
    }
};

TEST_F(RedisMessagesTest, PostThenListInFifoOrder) {
    auto posted = post(queue, kClientA, 3);
    ASSERT_EQ(posted.size(), 3u);
    ListRequest request{queue, "", 10, true, kClientA, false, false};
    auto page = list(request);
    EXPECT_EQ(ids(page.messages), posted);
    EXPECT_EQ(page.messages[0].body, "{\"n\":0}");
    EXPECT_EQ(page.messages[0].ttl, 3600);
    EXPECT_EQ(page.messages[0].age, 0);
    EXPECT_FALSE(page.queueDelaysEnabled);
}

TEST_F(RedisMessagesTest, EchoFilterAppliesBeforeLimit) {
    post(queue, kClientA, 12);
    auto foreign = post(queue, kClientB, 1);
    ListRequest request{queue, "", 10, false, kClientA, false, false};
    auto page = list(request);
    EXPECT_EQ(ids(page.messages), foreign);
    request.echo = true;
    EXPECT_EQ(list(request).messages.size(), 10u);
}

TEST_F(RedisMessagesTest, MarkerPagingContinuesAfterDeletedMarker) {
    auto posted = post(queue, kClientA, 25);
    ListRequest request{queue, "", 10, true, kClientA, false, false};
    auto first = list(request);
    ASSERT_EQ(first.messages.size(), 10u);
    // Deleting the marker message must not break the continuation.
    auto removed = await<DeleteOutcome>(
        [&](auto done) { store().messages.remove(queue, posted[9], std::nullopt, done); });
    ASSERT_TRUE(removed.ok());
    request.marker = first.nextMarker;
    auto second = list(request);
    EXPECT_EQ(ids(second.messages),
              std::vector<std::string>(posted.begin() + 10, posted.begin() + 20));
    request.marker = second.nextMarker;
    auto third = list(request);
    EXPECT_EQ(third.messages.size(), 5u);
    request.marker = third.nextMarker;
    EXPECT_TRUE(list(request).messages.empty());
    request.marker = "garbage";
    EXPECT_TRUE(list(request).messages.empty());
    request.marker = "999999";
    EXPECT_TRUE(list(request).messages.empty());
}

TEST_F(RedisMessagesTest, UnknownQueueListsEmpty) {
    ListRequest request{{"proj", "nothing"}, "", 10, true, kClientA, true, true};
    EXPECT_TRUE(list(request).messages.empty());
}

TEST_F(RedisMessagesTest, GetByIdsIsScopedToQueueAndProject) {
    auto posted = post(queue, kClientA, 2);
    auto other = post({"proj", "q2"}, kClientA, 1);
    auto result = await<GetMessagesResult>([&](auto done) {
        store().messages.get(queue, {posted[1], other[0], posted[0]}, done);
    });
    ASSERT_TRUE(result.ok());
    EXPECT_TRUE(result->queueExists);
    EXPECT_EQ(ids(result->messages), (std::vector<std::string>{posted[1], posted[0]}));

    // Another project with a queue of the same name sees nothing of it.
    QueueRef foreign{"intruder", "q1"};
    post(foreign, kClientA, 1);
    auto stolen =
        await<GetMessagesResult>([&](auto done) { store().messages.get(foreign, posted, done); });
    ASSERT_TRUE(stolen.ok());
    EXPECT_TRUE(stolen->messages.empty());
    auto removed =
        await<Unit>([&](auto done) { store().messages.removeMany(foreign, posted, done); });
    ASSERT_TRUE(removed.ok());
    auto outcome = await<DeleteOutcome>(
        [&](auto done) { store().messages.remove(foreign, posted[0], std::nullopt, done); });
    ASSERT_TRUE(outcome.ok());
    auto still =
        await<GetMessagesResult>([&](auto done) { store().messages.get(queue, posted, done); });
    EXPECT_EQ(still->messages.size(), 2u);

    auto missing = await<GetMessagesResult>([&](auto done) {
        store().messages.get({"proj", "never"}, posted, done);
    });
    EXPECT_FALSE(missing->queueExists);
}

TEST_F(RedisMessagesTest, PopTakesAvailableHeadOnly) {
    auto posted = post(queue, kClientA, 4);
    ClaimRequest claim{queue, 60, 60, 1};
    auto claimed = await<ClaimResult>([&](auto done) { store().claims.create(claim, done); });
    ASSERT_EQ(claimed->messages.size(), 1u);
    auto popped =
        await<std::vector<Message>>([&](auto done) { store().messages.pop(queue, 2, done); });
    ASSERT_TRUE(popped.ok());
    EXPECT_EQ(ids(popped.value()), (std::vector<std::string>{posted[1], posted[2]}));
    EXPECT_TRUE(popped.value()[0].claimId.empty());
    auto rest =
        await<std::vector<Message>>([&](auto done) { store().messages.pop(queue, 5, done); });
    EXPECT_EQ(ids(rest.value()), (std::vector<std::string>{posted[3]}));
    auto empty = await<std::vector<Message>>([&](auto done) {
        store().messages.pop({"proj", "none"}, 5, done);
    });
    EXPECT_TRUE(empty->empty());
}

TEST_F(RedisMessagesTest, DeleteOutcomes) {
    auto posted = post(queue, kClientA, 3);
    auto claim = await<ClaimResult>([&](auto done) {
        store().claims.create(ClaimRequest{queue, 60, 60, 2}, done);
    });
    ASSERT_EQ(claim->messages.size(), 2u);
    auto other = await<ClaimResult>([&](auto done) {
        store().claims.create(ClaimRequest{queue, 60, 60, 1}, done);
    });
    ASSERT_EQ(other->messages.size(), 1u);
    auto remove = [&](const std::string& id, std::optional<std::string> cid) {
        auto outcome =
            await<DeleteOutcome>([&](auto done) { store().messages.remove(queue, id, cid, done); });
        EXPECT_TRUE(outcome.ok());
        return outcome.ok() ? outcome.value() : DeleteOutcome::Deleted;
    };
    EXPECT_EQ(remove(posted[0], std::nullopt), DeleteOutcome::ClaimedNoClaimId);
    EXPECT_EQ(remove(posted[0], "not-a-uuid"), DeleteOutcome::ClaimUnknown);
    EXPECT_EQ(remove(posted[0], "33333333-3333-4333-8333-333333333333"),
              DeleteOutcome::ClaimUnknown);
    EXPECT_EQ(remove(posted[0], other->claimId), DeleteOutcome::ClaimedByOther);
    EXPECT_EQ(remove(posted[0], claim->claimId), DeleteOutcome::Deleted);
    EXPECT_EQ(remove("44444444-4444-4444-8444-444444444444", std::nullopt), DeleteOutcome::Deleted);
    // Release, then a claim id on an unclaimed message.
    ASSERT_TRUE(
        await<Unit>([&](auto done) { store().claims.release(queue, claim->claimId, done); }).ok());
    EXPECT_EQ(remove(posted[1], claim->claimId), DeleteOutcome::NotClaimed);
    EXPECT_EQ(remove(posted[1], std::nullopt), DeleteOutcome::Deleted);
    // The claim no longer lists a deleted message.
    auto info =
        await<ClaimInfo>([&](auto done) { store().claims.get(queue, other->claimId, done); });
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->messages.size(), 1u);
    EXPECT_EQ(remove(posted[2], other->claimId), DeleteOutcome::Deleted);
    info = await<ClaimInfo>([&](auto done) { store().claims.get(queue, other->claimId, done); });
    EXPECT_TRUE(info->messages.empty());
}

TEST_F(RedisMessagesTest, BulkDeleteWithClaimCheck) {
    auto posted = post(queue, kClientA, 3);
    auto claim = await<ClaimResult>([&](auto done) {
        store().claims.create(ClaimRequest{queue, 60, 60, 1}, done);
    });
    auto refused = await<Unit>([&](auto done) {
        store().messages.removeManyClaimed(queue, {posted[0], posted[1]}, {claim->claimId}, done);
    });
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().kind, ErrorKind::Forbidden);
    auto ok = await<Unit>([&](auto done) {
        store().messages.removeManyClaimed(queue, {posted[0]}, {claim->claimId}, done);
    });
    EXPECT_TRUE(ok.ok());
    ASSERT_TRUE(
        await<Unit>([&](auto done) { store().messages.removeMany(queue, posted, done); }).ok());
    auto left =
        await<GetMessagesResult>([&](auto done) { store().messages.get(queue, posted, done); });
    EXPECT_TRUE(left->messages.empty());
}

TEST_F(RedisMessagesTest, QueueLimitsAndDelays) {
    auto created = await<bool>([&](auto done) {
        store().queues.create(
            queue,
            Json::adopt(json_pack("{s:i,s:i,s:i}", "_max_messages_post_size", 50,
                                  "_default_message_delay", 30, "_default_message_ttl", 120)),
            done);
    });
    ASSERT_TRUE(created.ok());
    EXPECT_TRUE(created.value());
    PostRequest request{queue, kClientA, {{"1", std::nullopt, std::nullopt}}, 100};
    auto big = await<PostResult>([&](auto done) { store().messages.post(request, done); });
    EXPECT_EQ(big->refusal, PostRefusal::TooLargeForQueue);
    EXPECT_EQ(big->queueMaxPostSize, 50);
    request.bodySize = 10;
    request.messages = {{"1", std::nullopt, 901}};
    auto badDelay = await<PostResult>([&](auto done) { store().messages.post(request, done); });
    EXPECT_EQ(badDelay->refusal, PostRefusal::InvalidDelay);
    request.messages = {{"\"delayed\"", std::nullopt, std::nullopt}, {"\"now\"", 300, 0}};
    auto posted = await<PostResult>([&](auto done) { store().messages.post(request, done); });
    ASSERT_EQ(posted->ids.size(), 2u);

    ListRequest listing{queue, "", 10, true, kClientA, false, false};
    auto page = list(listing);
    EXPECT_TRUE(page.queueDelaysEnabled);
    ASSERT_EQ(page.messages.size(), 1u);
    EXPECT_EQ(page.messages[0].id, posted->ids[1]);
    EXPECT_EQ(page.messages[0].ttl, 300);
    listing.includeDelayed = true;
    page = list(listing);
    ASSERT_EQ(page.messages.size(), 2u);
    EXPECT_EQ(page.messages[0].ttl, 120);
    // A delayed message cannot be claimed or popped.
    auto claim = await<ClaimResult>([&](auto done) {
        store().claims.create(ClaimRequest{queue, 60, 60, 10}, done);
    });
    ASSERT_EQ(claim->messages.size(), 1u);
    EXPECT_EQ(claim->messages[0].id, posted->ids[1]);
}

TEST_F(RedisMessagesTest, DelayIgnoredWithoutQueueDelay) {
    PostRequest request{queue, kClientA, {{"1", std::nullopt, 5000}}, 10};
    auto posted = await<PostResult>([&](auto done) { store().messages.post(request, done); });
    ASSERT_EQ(posted->refusal, PostRefusal::None);
    ListRequest listing{queue, "", 10, true, kClientA, false, false};
    EXPECT_EQ(list(listing).messages.size(), 1u);
}

TEST_F(RedisMessagesTest, ExpiredMessagesDisappear) {
    post(queue, kClientA, 2, 1);
    auto keep = post(queue, kClientA, 1);
    spin(dispatcher_, std::chrono::milliseconds(1100));
    ListRequest listing{queue, "", 10, true, kClientA, true, true};
    EXPECT_EQ(ids(list(listing).messages), keep);
    auto stats = await<QueueStats>([&](auto done) { store().queues.stats(queue, done); });
    EXPECT_EQ(stats->total, 1);
    // Housekeeping reclaimed the expired ones.
    auto count = server_.command({"HLEN", "z:e:{proj/q1}"});
    EXPECT_EQ(count->integer, 1);
}

// Layout 2 (storage/redis/README.md): only a message posted below the queue's in-order
// expiry goes into z:x; the others expire in rank order, and stats counts exactly before
// housekeeping drops them (the due hint defers it by 5 s).
TEST_F(RedisMessagesTest, InOrderRunExpiresExactlyWithoutTheExpiryIndex) {
    post(queue, kClientA, 2, 1);
    auto keep = post(queue, kClientA, 1, 100);
    post(queue, kClientA, 1, 1);  // below the run: indexed in z:x
    auto last = post(queue, kClientA, 1, 100);
    keep.insert(keep.end(), last.begin(), last.end());
    EXPECT_EQ(server_.command({"ZCARD", "z:x:{proj/q1}"})->integer, 1);
    EXPECT_EQ(server_.command({"HLEN", "z:b:{proj/q1}"})->integer, 0);
    auto stats = await<QueueStats>([&](auto done) { store().queues.stats(queue, done); });
    EXPECT_EQ(stats->total, 5);

    spin(dispatcher_, std::chrono::milliseconds(1100));
    stats = await<QueueStats>([&](auto done) { store().queues.stats(queue, done); });
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->total, 2);
    ASSERT_TRUE(stats->oldest && stats->newest);
    EXPECT_EQ(stats->oldest->id, keep[0]);
    EXPECT_EQ(stats->newest->id, keep[1]);
    // Counted, not yet dropped.
    EXPECT_EQ(server_.command({"HLEN", "z:e:{proj/q1}"})->integer, 5);
    ListRequest listing{queue, "", 10, true, kClientA, true, true};
    EXPECT_EQ(ids(list(listing).messages), keep);
}

}  // namespace
}  // namespace zaqard::testing
