// QueueStore on Redis. Queue-level writes are scripts on the queue's tag; the project
// index and the registry (other slots) follow in a second step (queue_index.h) and are
// only read by list/count and the sweeper.
#include "storage/redis/redis_queue_store.h"

#include <cstdlib>
#include <memory>

#include "storage/redis/key_layout.h"
#include "storage/redis/message_codec.h"
#include "storage/redis/queue_index.h"
#include "storage/redis/reserved_metadata.h"

namespace zaqard::storage::redis {

namespace {

Error unavailable(const Result<RedisValue>& reply) {
    return reply.ok() ? Error{ErrorKind::Unavailable, reply.value().str} : reply.error();
}

std::vector<std::string> metadataArgs(const Json& metadata) {
    std::vector<std::string> args;
    Json object = metadata && json_is_object(metadata.get()) ? metadata : Json::object();
    args.push_back(object.dump());
    for (auto& mirror : reservedMirrors(object)) args.push_back(std::move(mirror));
    return args;
}

// Zaqar's metadata filters: JSON equality, and a query value that reads as an integer
// also matches the stored integer (query strings carry no types).
bool matchesFilter(json_t* stored, const Json& wanted) {
    if (stored == nullptr) return false;
    if (json_equal(stored, wanted.get())) return true;
    if (json_is_string(wanted.get()) && json_is_integer(stored)) {
        const char* text = json_string_value(wanted.get());
        char* end = nullptr;
        long long number = std::strtoll(text, &end, 10);
        return *text != '\0' && *end == '\0' && number == json_integer_value(stored);
    }
    return false;
}

}  // namespace

void RedisQueueStore::create(const QueueRef& queue, Json metadata, Callback<bool> done) {
    std::string tag = queueTag(queue);
    context_.runQueueScript(
        "queue_create", tag, metadataArgs(metadata),
        [this, tag, done = std::move(done)](Result<RedisValue> reply) {
            if (!reply.ok()) return done(reply.error());
            bool created = reply.value().at(2).asInt() != 0;
            std::string intent = reply.value().at(3).asString();
            if (intent.empty()) return done(created);
            // Answered once listed: a 503 lets the client retry, which
            // finds the intent again (and answers 204).
            indexQueue(context_, tag, intent, [created, done](bool indexed) {
                if (!indexed)
                    return done(Error{ErrorKind::Unavailable, "queue index write failed"});
                done(created);
            });
        });
}

void RedisQueueStore::getMetadata(const QueueRef& queue, Callback<std::optional<Json>> done) {
    context_.redis.command({"HGET", queueHashKey(queueTag(queue)), "m"},
                           [done = std::move(done)](Result<RedisValue> reply) {
                               if (!reply.ok() || reply.value().isError())
                                   return done(unavailable(reply));
                               if (reply.value().isNil()) return done(std::optional<Json>());
                               Json metadata = parseJsonValue(reply.value().str);
                               if (!metadata) metadata = Json::object();
                               done(std::optional<Json>(std::move(metadata)));
                           });
}

void RedisQueueStore::setMetadata(const QueueRef& queue, Json metadata, Callback<Unit> done) {
    context_.runQueueScript("queue_set_metadata", queueTag(queue), metadataArgs(metadata),
                            [done = std::move(done)](Result<RedisValue> reply) {
                                if (!reply.ok()) return done(reply.error());
                                if (reply.value().at(2).asInt() == 0)
                                    return done(Error{ErrorKind::NotFound, "queue not found"});
                                done(Unit{});
                            });
}

void RedisQueueStore::remove(const QueueRef& queue, Callback<Unit> done) {
    std::string tag = queueTag(queue);
    Command unlink{"UNLINK"};
    for (auto& key : queueKeys(tag)) unlink.args.push_back(std::move(key));
    unlink.args.push_back(deadLetterDedupKey(tag));
    for (auto& key : groupKeys(tag)) unlink.args.push_back(std::move(key));
    unlink.keyIndex = 1;
    // The queue's keys first (one slot, one command), its entries only afterwards: an
    // entry left by a crash in between is skipped by readers and removed by the next
    // list or sweep, while a queue without entries would be lost to both. The UNLINK is
    // the change the client is told about: it waits for the replicas (write concern).
    context_.writeCommand(std::move(unlink),
                          [this, tag, done = std::move(done)](Result<RedisValue> reply) {
                              if (!reply.ok() || reply.value().isError())
                                  return done(unavailable(reply));
                              // The queue is gone either way; leftovers are repaired as
                              // above.
                              unindexQueue(context_, tag, [done](bool) { done(Unit{}); });
                          });
}

struct RedisQueueStore::ListState {
    QueueListRequest request;
    Callback<std::vector<QueueInfo>> done;
    std::vector<QueueInfo> found;
    std::string marker;
};

void RedisQueueStore::list(const QueueListRequest& request, Callback<std::vector<QueueInfo>> done) {
    auto state = std::make_shared<ListState>();
    state->request = request;
    state->done = std::move(done);
    state->marker = request.marker;
    listStep(std::move(state));
}

// One window of names from the index, then each queue's metadata (pipelined) so that
// filters apply before the limit and index entries of vanished queues are skipped.
void RedisQueueStore::listStep(std::shared_ptr<ListState> state) {
    const auto& request = state->request;
    bool filtered = !request.nameContains.empty() || !request.metadataEquals.empty();
    int64_t window = filtered ? 100 : std::max<int64_t>(request.limit - state->found.size(), 1);
    std::string from = state->marker.empty() ? "-" : "(" + state->marker;
    context_.redis.command(
        {"ZRANGEBYLEX", projectIndexKey(request.project, request.kind), from, "+", "LIMIT", "0",
         std::to_string(window)},
        [this, state, window](Result<RedisValue> reply) {
            if (!reply.ok() || reply.value().isError()) return state->done(unavailable(reply));
            auto names = std::make_shared<std::vector<std::string>>();
            for (const auto& element : reply.value().elements) names->push_back(element.asString());
            if (names->empty()) return state->done(std::move(state->found));
            auto metadata = std::make_shared<std::vector<RedisValue>>(names->size());
            auto remaining = std::make_shared<size_t>(names->size());
            auto failed = std::make_shared<bool>(false);
            for (size_t i = 0; i < names->size(); ++i) {
                QueueRef ref{state->request.project, (*names)[i], state->request.kind};
                context_.redis.command(
                    {"HMGET", queueHashKey(queueTag(ref)), "m", "ix"},
                    [this, state, window, names, metadata, remaining, failed,
                     i](Result<RedisValue> meta) {
                        if (!meta.ok() || meta.value().isError())
                            *failed = true;
                        else
                            (*metadata)[i] = std::move(meta.value());
                        if (--*remaining > 0) return;
                        if (*failed)
                            return state->done(Error{ErrorKind::Unavailable, "list failed"});
                        const auto& req = state->request;
                        for (size_t j = 0; j < names->size(); ++j) {
                            const std::string& name = (*names)[j];
                            state->marker = name;
                            // Half-done creations and deletions (queue_index.h) are
                            // finished in the background; a missing queue is skipped.
                            std::string tag = queueTag({req.project, name, req.kind});
                            const RedisValue& found = (*metadata)[j];
                            if (found.at(0).isNil()) {
                                dropStaleQueueEntry(context_, tag, [] {});
                                continue;
                            }
                            if (!found.at(1).isNil())
                                indexQueue(context_, tag, found.at(1).asString(), [](bool) {});
                            if (!req.nameContains.empty() &&
                                name.find(req.nameContains) == std::string::npos)
                                continue;
                            Json stored = parseJsonValue(found.at(0).str);
                            if (!stored) stored = Json::object();
                            bool match = true;
                            for (const auto& [key, value] : req.metadataEquals)
                                if (!matchesFilter(stored.at(key.c_str()), value)) match = false;
                            if (!match) continue;
                            QueueInfo info;
                            info.name = name;
                            if (req.detailed) info.metadata = stored;
                            state->found.push_back(std::move(info));
                            if (static_cast<int64_t>(state->found.size()) >= req.limit)
                                return state->done(std::move(state->found));
                        }
                        if (static_cast<int64_t>(names->size()) < window)
                            return state->done(std::move(state->found));
                        listStep(state);
                    });
            }
        });
}

void RedisQueueStore::count(const std::string& project, Callback<int64_t> done) {
    context_.redis.command({"ZCARD", projectIndexKey(project)},
                           [done = std::move(done)](Result<RedisValue> reply) {
                               if (!reply.ok() || reply.value().isError())
                                   return done(unavailable(reply));
                               done(reply.value().asInt());
                           });
}

void RedisQueueStore::stats(const QueueRef& queue, Callback<QueueStats> done) {
    context_.runQueueScript("stats", queueTag(queue), {},
                            [done = std::move(done)](Result<RedisValue> reply) {
                                if (!reply.ok()) return done(reply.error());
                                const RedisValue& value = reply.value();
                                int64_t now = replyNow(value);
                                QueueStats stats;
                                stats.total = value.at(2).asInt();
                                stats.claimed = value.at(3).asInt();
                                stats.free = stats.total - stats.claimed;
                                if (value.at(4).size() > 0)
                                    stats.oldest = decodeMessage(value.at(4), now);
                                if (value.at(5).size() > 0)
                                    stats.newest = decodeMessage(value.at(5), now);
                                done(std::move(stats));
                            });
}

void RedisQueueStore::purgeMessages(const QueueRef& queue, Callback<int64_t> done) {
    context_.runQueueScript("purge", queueTag(queue), {},
                            [done = std::move(done)](Result<RedisValue> reply) {
                                if (!reply.ok() || reply.value().isError())
                                    return done(unavailable(reply));
                                done(reply.value().at(2).asInt());
                            });
}

}  // namespace zaqard::storage::redis
