// The expiry sweeper; see expiry_sweeper.h.
#include "storage/redis/expiry_sweeper.h"

#include "storage/redis/key_layout.h"
#include "storage/redis/queue_index.h"

namespace zaqard::storage::redis {

namespace {
constexpr const char* kQueuesPerTick = "20";
constexpr const char* kBudgetPerQueue = "1000";
// Registry positions: the buckets, then the pre-bucket registry.
constexpr int kPositions = kRegistryBuckets + 1;
}  // namespace

ExpirySweeper::ExpirySweeper(RedisContext& context, std::chrono::milliseconds interval)
    : context_(context), interval_(interval) {
    timer_ = context_.dispatcher.createTimer([this] { tick(); });
}

void ExpirySweeper::start() {
    running_ = true;
    timer_->enable(interval_);
}

void ExpirySweeper::stop() {
    running_ = false;
    timer_->disable();
}

std::string ExpirySweeper::currentKey() const {
    return bucket_ < kRegistryBuckets ? registryBucketKey(bucket_) : legacyRegistryKey();
}

void ExpirySweeper::tick() {
    if (busy_) return;
    busy_ = true;
    std::weak_ptr<bool> alive = alive_;
    scan(0, [this, alive] {
        if (alive.expired()) return;
        busy_ = false;
        if (running_) timer_->enable(interval_);
    });
}

// One SSCAN step of the current position. A position found empty moves on to the next
// within the same tick (at most one round of them), so a few queues in 16 buckets are
// not visited 17 times slower than in one set.
void ExpirySweeper::scan(int emptySteps, std::function<void()> finish) {
    std::weak_ptr<bool> alive = alive_;
    bool legacy = bucket_ == kRegistryBuckets;
    context_.redis.command({"SSCAN", currentKey(), cursor_, "COUNT", kQueuesPerTick},
                           [this, alive, legacy, emptySteps, finish](Result<RedisValue> reply) {
                               if (alive.expired()) return;
                               if (!reply.ok() || reply.value().isError()) return finish();
                               cursor_ = reply.value().at(0).asString();
                               if (cursor_.empty() || cursor_ == "0") {
                                   cursor_ = "0";
                                   bucket_ = (bucket_ + 1) % kPositions;
                               }
                               const RedisValue& tags = reply.value().at(1);
                               if (tags.size() > 0) return sweep(tags, legacy, finish);
                               if (cursor_ == "0" && emptySteps + 1 < kPositions)
                                   return scan(emptySteps + 1, finish);
                               finish();
                           });
}

void ExpirySweeper::sweep(const RedisValue& tags, bool legacy, std::function<void()> finish) {
    std::weak_ptr<bool> alive = alive_;
    auto remaining = std::make_shared<size_t>(tags.size());
    auto one = [remaining, finish] {
        if (--*remaining == 0) finish();
    };
    for (const auto& element : tags.elements) {
        std::string tag = element.asString();
        context_.runQueueScript(
            "normalise", tag, {kBudgetPerQueue},
            [this, alive, tag, legacy, one](Result<RedisValue> reply) {
                if (alive.expired()) return;
                if (!reply.ok()) return one();
                bool exists = reply.value().at(3).asInt() != 0;
                std::string intent = reply.value().at(4).asString();
                if (!exists) return dropStaleQueueEntry(context_, tag, one);
                if (!intent.empty())
                    return indexQueue(context_, tag, intent, [one](bool) { one(); });
                if (!legacy) return one();
                // An entry of the pre-bucket registry moves into its bucket (added
                // there first: a crash in between leaves it in both, which is harmless).
                context_.redis.command({"SADD", registryKeyOfTag(tag), tag},
                                       [this, alive, tag, one](Result<RedisValue> added) {
                                           if (alive.expired()) return;
                                           if (!added.ok() || added.value().isError()) return one();
                                           context_.redis.command(
                                               {"SREM", legacyRegistryKey(), tag},
                                               [one](Result<RedisValue>) { one(); });
                                       });
            });
    }
}

}  // namespace zaqard::storage::redis
