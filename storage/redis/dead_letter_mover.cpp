// Dead-letter outbox draining; see dead_letter_mover.h.
#include "storage/redis/dead_letter_mover.h"

#include <algorithm>
#include <map>

#include "src/common/json.h"
#include "src/common/log.h"
#include "storage/redis/key_layout.h"
#include "storage/redis/queue_index.h"

namespace zaqard::storage::redis {

namespace {

constexpr int kBatch = 100;

std::string integerText(json_t* value) {
    return std::to_string(static_cast<int64_t>(json_number_value(value)));
}

std::string textOf(json_t* value) {
    return json_is_string(value) ? json_string_value(value) : "";
}

// Fields per message of dead_letter_post.lua's ARGV.
constexpr size_t kPostFields = 7;

}  // namespace

DeadLetterMover::DeadLetterMover(RedisContext& context) : context_(context) {}

void DeadLetterMover::flush(const std::string& tag, std::function<void()> drained) {
    auto [it, started] = active_.try_emplace(tag);
    if (drained) it->second.push_back(std::move(drained));
    if (started) step(tag);
}

void DeadLetterMover::finish(const std::string& tag) {
    auto it = active_.find(tag);
    if (it == active_.end()) return;
    auto waiters = std::move(it->second);
    active_.erase(it);
    for (auto& drained : waiters) drained();
}

void DeadLetterMover::step(const std::string& tag) {
    std::weak_ptr<bool> alive = alive_;
    context_.redis.command(
        {"HSCAN", outboxKey(tag), "0", "COUNT", std::to_string(kBatch)},
        [this, alive, tag](Result<RedisValue> reply) {
            if (alive.expired()) return;
            if (!reply.ok() || reply.value().isError()) {
                finish(tag);  // the sweeper retries later
                return;
            }
            const RedisValue& entries = reply.value().at(1);
            if (entries.size() == 0) {
                finish(tag);
                return;
            }
            // In their queue's FIFO order (the entry's rank "r"; HSCAN answers in hash
            // order), so a batch arrives in order; grouped by target: one post script each.
            std::vector<std::pair<std::string, Json>> sorted;
            for (size_t i = 0; i + 1 < entries.size(); i += 2)
                sorted.emplace_back(entries.at(i).asString(),
                                    parseJsonValue(entries.at(i + 1).asString()));
            std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
                return json_number_value(a.second.at("r")) < json_number_value(b.second.at("r"));
            });
            std::map<std::string, std::vector<std::string>> posts;
            auto ids = std::make_shared<Command>(Command{"HDEL", outboxKey(tag)});
            for (auto& [id, entry] : sorted) {
                ids->args.push_back(id);
                json_t* dlq = entry.at("dlq");
                json_t* body = entry.at("body");
                json_t* client = entry.at("u");
                if (!json_is_string(dlq) || !json_is_string(body)) continue;  // dropped
                auto& args = posts[json_string_value(dlq)];
                args.push_back(id);
                args.push_back(integerText(entry.at("ttl")));
                args.push_back(textOf(client));
                args.push_back(integerText(entry.at("c")));
                args.push_back(json_string_value(body));
                // FIFO group (kept through the move) and the dedup member a redrive sets.
                args.push_back(textOf(entry.at("g")));
                args.push_back(textOf(entry.at("m")));
            }
            auto remaining = std::make_shared<size_t>(posts.size());
            auto failed = std::make_shared<bool>(false);
            auto acknowledge = [this, alive, tag, ids, failed] {
                if (alive.expired()) return;
                if (*failed) {
                    finish(tag);
                    return;
                }
                context_.redis.command(*ids, [this, alive, tag](Result<RedisValue> ack) {
                    if (alive.expired()) return;
                    if (!ack.ok() || ack.value().isError()) {
                        finish(tag);
                        return;
                    }
                    step(tag);
                });
            };
            if (posts.empty()) return acknowledge();
            for (auto& [dlq, args] : posts) {
                std::string dlqTag = siblingTag(tag, dlq);
                args.insert(args.begin(), std::to_string(args.size() / kPostFields));
                // The DLQ's keys plus its dedup set (one slot: the DLQ's tag).
                auto keys = queueKeys(dlqTag);
                keys.push_back(deadLetterDedupKey(dlqTag));
                context_.scripts.run(
                    "dead_letter_post", std::move(keys), std::move(args),
                    [this, alive, dlqTag, remaining, failed,
                     acknowledge](Result<RedisValue> posted) {
                        if (alive.expired()) return;
                        auto finish = [remaining, acknowledge] {
                            if (--*remaining == 0) acknowledge();
                        };
                        if (!posted.ok()) {
                            log::warning("redis: dead-letter move failed; will retry");
                            *failed = true;
                            return finish();
                        }
                        if (posted.value().at(1).asInt() > 0) context_.outboxPending(dlqTag);
                        // A DLQ created here (or by an attempt that stopped halfway) is
                        // indexed before the outbox entries go: when that fails, the
                        // retried move finds the intent again.
                        std::string intent = posted.value().at(3).asString();
                        if (intent.empty()) return finish();
                        indexQueue(context_, dlqTag, intent, [failed, finish](bool indexed) {
                            if (!indexed) *failed = true;
                            finish();
                        });
                    });
            }
        });
}

}  // namespace zaqard::storage::redis
