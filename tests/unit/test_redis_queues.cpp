// Redis driver: queues (create, metadata, list with filters, count, remove, purge).
#include "test_redis_support.h"

namespace zaqard::testing {
namespace {

using namespace storage;

class RedisQueuesTest : public RedisDriverTest {
  protected:
    bool create(const std::string& project, const std::string& name, const char* metadata = "{}") {
        auto created = await<bool>([&](auto done) {
            store().queues.create({project, name}, parseJsonValue(metadata), done);
        });
        EXPECT_TRUE(created.ok());
        return created.ok() && created.value();
    }

    std::vector<std::string> names(QueueListRequest request) {
        auto listed =
            await<std::vector<QueueInfo>>([&](auto done) { store().queues.list(request, done); });
        EXPECT_TRUE(listed.ok());
        std::vector<std::string> out;
        if (listed.ok())
            for (const auto& q : listed.value()) out.push_back(q.name);
        return out;
    }
};

TEST_F(RedisQueuesTest, CreateKeepsExistingMetadata) {
    EXPECT_TRUE(create("p", "a", "{\"x\":1}"));
    EXPECT_FALSE(create("p", "a", "{\"x\":2}"));
    auto meta = await<std::optional<Json>>([&](auto done) {
        store().queues.getMetadata({"p", "a"}, done);
    });
    ASSERT_TRUE(meta.ok() && meta->has_value());
    EXPECT_EQ(meta.value()->dump(), "{\"x\":1}");
    auto none = await<std::optional<Json>>([&](auto done) {
        store().queues.getMetadata({"p", "b"}, done);
    });
    EXPECT_FALSE(none->has_value());
}

TEST_F(RedisQueuesTest, SetMetadataNeedsQueue) {
    auto missing = await<Unit>([&](auto done) {
        store().queues.setMetadata({"p", "a"}, parseJsonValue("{}"), done);
    });
    EXPECT_EQ(missing.error().kind, ErrorKind::NotFound);
    create("p", "a");
    ASSERT_TRUE(await<Unit>([&](auto done) {
                    store().queues.setMetadata(
                        {"p", "a"}, parseJsonValue("{\"_default_message_ttl\":90}"), done);
                }).ok());
    // The reserved mirror is applied to posts.
    PostRequest request{{"p", "a"}, "c", {{"1", std::nullopt, std::nullopt}}, 1};
    ASSERT_TRUE(await<PostResult>([&](auto done) { store().messages.post(request, done); }).ok());
    auto got = await<MessagePage>([&](auto done) {
        store().messages.list(ListRequest{{"p", "a"}, "", 10, true, "c", false, false}, done);
    });
    EXPECT_EQ(got->messages[0].ttl, 90);
}

TEST_F(RedisQueuesTest, ListSortedPagedFilteredAndCounted) {
    create("p", "delta", "{\"color\":\"red\",\"size\":3}");
    create("p", "alpha", "{\"color\":\"blue\"}");
    create("p", "charlie", "{\"color\":\"red\"}");
    create("p", "bravo");
    create("other", "zulu");
    // A queue created lazily by a post is listed too.
    PostRequest request{{"p", "echo.x"}, "c", {{"1", std::nullopt, std::nullopt}}, 1};
    ASSERT_TRUE(await<PostResult>([&](auto done) { store().messages.post(request, done); }).ok());

    QueueListRequest list;
    list.project = "p";
    list.limit = 10;
    EXPECT_EQ(names(list),
              (std::vector<std::string>{"alpha", "bravo", "charlie", "delta", "echo.x"}));
    list.limit = 2;
    EXPECT_EQ(names(list), (std::vector<std::string>{"alpha", "bravo"}));
    list.marker = "bravo";
    EXPECT_EQ(names(list), (std::vector<std::string>{"charlie", "delta"}));
    list.marker = "";
    list.limit = 1;
    list.metadataEquals = {{"color", Json::string("red")}};
    EXPECT_EQ(names(list), std::vector<std::string>{"charlie"});
    list.marker = "charlie";
    EXPECT_EQ(names(list), std::vector<std::string>{"delta"});
    list.marker = "";
    list.limit = 10;
    list.metadataEquals = {{"size", Json::string("3")}};
    EXPECT_EQ(names(list), std::vector<std::string>{"delta"});
    list.metadataEquals.clear();
    list.nameContains = "ha";
    EXPECT_EQ(names(list), (std::vector<std::string>{"alpha", "charlie"}));

    list.nameContains.clear();
    list.detailed = true;
    auto detailed =
        await<std::vector<QueueInfo>>([&](auto done) { store().queues.list(list, done); });
    ASSERT_EQ(detailed->size(), 5u);
    EXPECT_EQ(detailed.value()[0].metadata.dump(), "{\"color\":\"blue\"}");

    auto count = await<int64_t>([&](auto done) { store().queues.count("p", done); });
    EXPECT_EQ(count.value(), 5);
    count = await<int64_t>([&](auto done) { store().queues.count("nobody", done); });
    EXPECT_EQ(count.value(), 0);
}

TEST_F(RedisQueuesTest, RemoveDeletesEverything) {
    QueueRef q{"p", "gone"};
    create("p", "gone");
    PostRequest request{
        q, "c", {{"1", std::nullopt, std::nullopt}, {"2", std::nullopt, std::nullopt}}, 1};
    ASSERT_TRUE(await<PostResult>([&](auto done) { store().messages.post(request, done); }).ok());
    ASSERT_TRUE(await<ClaimResult>([&](auto done) {
                    store().claims.create(ClaimRequest{q, 60, 60, 1}, done);
                }).ok());
    ASSERT_TRUE(await<Unit>([&](auto done) { store().queues.remove(q, done); }).ok());
    auto keys = server_.command({"KEYS", "*gone*"});
    EXPECT_EQ(keys->elements, 0u);
    EXPECT_EQ(await<int64_t>([&](auto done) { store().queues.count("p", done); }).value(), 0);
    EXPECT_TRUE(await<Unit>([&](auto done) { store().queues.remove({"p", "never"}, done); }).ok());
}

TEST_F(RedisQueuesTest, PurgeKeepsQueue) {
    QueueRef q{"p", "pq"};
    PostRequest request{
        q, "c", {{"1", std::nullopt, std::nullopt}, {"2", std::nullopt, std::nullopt}}, 1};
    ASSERT_TRUE(await<PostResult>([&](auto done) { store().messages.post(request, done); }).ok());
    ASSERT_TRUE(await<ClaimResult>([&](auto done) {
                    store().claims.create(ClaimRequest{q, 60, 60, 1}, done);
                }).ok());
    ASSERT_TRUE(await<int64_t>([&](auto done) { store().queues.purgeMessages(q, done); }).ok());
    auto stats = await<QueueStats>([&](auto done) { store().queues.stats(q, done); });
    EXPECT_EQ(stats->total, 0);
    auto meta = await<std::optional<Json>>([&](auto done) { store().queues.getMetadata(q, done); });
    EXPECT_TRUE(meta->has_value());
}

TEST_F(RedisQueuesTest, ProjectsWithSpecialCharactersStayApart) {
    // "a/b" + "c" must not collide with "a" + "b/c"-like tags, nor break the hash tag.
    create("a/b{x}", "c");
    create("a", "c");
    QueueListRequest list;
    list.project = "a/b{x}";
    EXPECT_EQ(names(list), std::vector<std::string>{"c"});
    EXPECT_EQ(server_.command({"EXISTS", "z:q:{a%2Fb%7Bx%7D/c}"})->integer, 1);
}

}  // namespace
}  // namespace zaqard::testing
