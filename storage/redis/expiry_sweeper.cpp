// The expiry sweeper; see expiry_sweeper.h.
#include "storage/redis/expiry_sweeper.h"

#include "storage/redis/key_layout.h"

namespace zaqard::storage::redis {

namespace {
constexpr const char* kQueuesPerTick = "20";
constexpr const char* kBudgetPerQueue = "1000";
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

void ExpirySweeper::tick() {
    if (busy_) return;
    busy_ = true;
    std::weak_ptr<bool> alive = alive_;
    auto finish = [this, alive] {
        if (alive.expired()) return;
        busy_ = false;
        if (running_) timer_->enable(interval_);
    };
    context_.redis.command({"SSCAN", registryKey(), cursor_, "COUNT", kQueuesPerTick},
                           [this, alive, finish](Result<RedisValue> reply) {
                               if (alive.expired()) return;
                               if (!reply.ok() || reply.value().isError()) return finish();
                               cursor_ = reply.value().at(0).asString();
                               if (cursor_.empty()) cursor_ = "0";
                               const RedisValue& tags = reply.value().at(1);
                               if (tags.size() == 0) return finish();
                               auto remaining = std::make_shared<size_t>(tags.size());
                               for (const auto& tag : tags.elements) {
                                   context_.runQueueScript("normalise", tag.asString(),
                                                           {kBudgetPerQueue},
                                                           [remaining, finish](Result<RedisValue>) {
                                                               if (--*remaining == 0) finish();
                                                           });
                               }
                           });
}

}  // namespace zaqard::storage::redis
