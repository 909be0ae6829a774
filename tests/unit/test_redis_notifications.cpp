// Redis driver + confirmation gate: a message posted while a subscription is unconfirmed
// is never delivered to it, even when the confirmation lands while its job still waits in
// the stream (notify_fetch.lua reads jobs and subscriptions in one call; the confirm
// operation records the stream position). Real redis-server, real scripts.
#include "notifiers/confirmation_gate.h"
#include "storage/redis/key_layout.h"
#include "test_redis_support.h"

namespace zaqard::testing {
namespace {

using namespace storage;
using notifiers::confirmationGate;
using notifiers::Gate;

class RedisNotificationsTest : public RedisDriverTest {
  protected:
    void configure(config::Config& config) override {
        config.message_pipeline = {"zaqar.notification.notifier"};
    }

    QueueRef queue{"proj", "nq"};
    std::string tag = redis::queueTag(queue);

    std::string subscribe(const std::string& subscriber, const char* options = "{}") {
        auto created = await<CreatedSubscription>([&](auto done) {
            store().subscriptions.create(
                NewSubscription{queue, subscriber, 600, parseJsonValue(options), ""}, done);
        });
        EXPECT_TRUE(created.ok());
        return created.ok() ? created->id : "";
    }
    void post(const std::string& body) {
        PostRequest request{queue, "11111111-1111-4111-8111-111111111111", {}, 10};
        request.messages.push_back({body, std::nullopt, std::nullopt});
        ASSERT_TRUE(
            await<PostResult>([&](auto done) { store().messages.post(request, done); }).ok());
    }
    void confirm(const std::string& id, bool value) {
        ASSERT_TRUE(await<Unit>([&](auto done) {
                        store().subscriptions.confirm(queue, id, value, done);
                    }).ok());
    }
    NotificationBatch fetch() {
        auto batch = await<NotificationBatch>(
            [&](auto done) { store().notifications.fetch(tag, "c1", 16, 60000, 60000, done); });
        EXPECT_TRUE(batch.ok());
        return batch.ok() ? std::move(batch.value()) : NotificationBatch{};
    }
    static const Subscription& find(const NotificationBatch& batch, const std::string& id) {
        for (const auto& sub : batch.subscriptions)
            if (sub.id == id) return sub;
        static const Subscription none;
        ADD_FAILURE() << "subscription " << id << " not in the batch";
        return none;
    }
};

TEST_F(RedisNotificationsTest, ConfirmationWhileTheJobWaitsInTheStreamSkipsIt) {
    std::string plain = subscribe("http://127.0.0.1:9/plain");
    std::string holding =
        subscribe("http://127.0.0.1:9/hold", "{\"_zaqard_hold_until_confirmed\":true}");
    post("\"early\"");  // its job stays in the stream: nobody fetched yet
    confirm(plain, true);
    confirm(holding, true);
    post("\"late\"");

    NotificationBatch batch = fetch();
    ASSERT_EQ(batch.jobs.size(), 2u);
    const std::string& early = batch.jobs[0].id;
    const std::string& late = batch.jobs[1].id;
    const Subscription& p = find(batch, plain);
    const Subscription& h = find(batch, holding);
    EXPECT_TRUE(p.confirmed);
    EXPECT_EQ(p.confirmedAfter, early);
    EXPECT_EQ(confirmationGate(p, early, true), Gate::Skip);
    EXPECT_EQ(confirmationGate(p, late, true), Gate::Deliver);
    EXPECT_EQ(confirmationGate(h, early, true), Gate::Deliver);
    EXPECT_EQ(confirmationGate(h, late, true), Gate::Deliver);
    // Without require_confirmation the flag and the position mean nothing.
    EXPECT_EQ(confirmationGate(p, early, false), Gate::Deliver);
}

TEST_F(RedisNotificationsTest, ReconfirmingKeepsThePositionAndUnsubscribingSkips) {
    std::string id = subscribe("http://127.0.0.1:9/x");
    confirm(id, true);  // no stream yet: every later job counts
    post("\"one\"");
    confirm(id, true);  // already confirmed: the position stays
    NotificationBatch batch = fetch();
    ASSERT_EQ(batch.jobs.size(), 1u);
    const Subscription& sub = find(batch, id);
    EXPECT_EQ(sub.confirmedAfter, "0-0");
    EXPECT_EQ(confirmationGate(sub, batch.jobs[0].id, true), Gate::Deliver);

    confirm(id, false);
    post("\"two\"");
    batch = fetch();
    ASSERT_EQ(batch.jobs.size(), 1u);
    EXPECT_EQ(confirmationGate(find(batch, id), batch.jobs[0].id, true), Gate::Skip);
}

TEST_F(RedisNotificationsTest, UnconfirmedSubscriptionsSkipOrHold) {
    std::string plain = subscribe("http://127.0.0.1:9/plain");
    std::string holding =
        subscribe("http://127.0.0.1:9/hold", "{\"_zaqard_hold_until_confirmed\":true}");
    post("\"m\"");
    NotificationBatch batch = fetch();
    ASSERT_EQ(batch.jobs.size(), 1u);
    EXPECT_EQ(confirmationGate(find(batch, plain), batch.jobs[0].id, true), Gate::Skip);
    EXPECT_EQ(confirmationGate(find(batch, holding), batch.jobs[0].id, true), Gate::Hold);
    // A WebSocket subscriber never needs confirmation.
    Subscription ws = find(batch, plain);
    ws.connectionId = "conn";
    EXPECT_EQ(confirmationGate(ws, batch.jobs[0].id, true), Gate::Deliver);
}

TEST(StreamIds, CompareAsNumberPairs) {
    EXPECT_TRUE(notifiers::streamIdAtMost("5-0", "5-0"));
    EXPECT_TRUE(notifiers::streamIdAtMost("5-2", "5-10"));
    EXPECT_FALSE(notifiers::streamIdAtMost("10-0", "9-99"));
    EXPECT_TRUE(notifiers::streamIdAtMost("999-0", "1000-0"));
    EXPECT_TRUE(notifiers::streamIdAtMost("", "0-0"));
}

}  // namespace
}  // namespace zaqard::testing
