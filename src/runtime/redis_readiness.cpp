#include "src/runtime/redis_readiness.h"

#include <chrono>

#include "src/common/log.h"

namespace zaqard::runtime {

namespace {
// Between PINGs while Redis does not answer: the driver reconnects by itself, this only
// asks again.
constexpr std::chrono::milliseconds kRetry{200};
}  // namespace

RedisReadinessProbe::RedisReadinessProbe(event::Dispatcher& dispatcher,
                                         storage::HealthStore& health, int shard,
                                         std::function<void()> onAnswered)
    : dispatcher_(dispatcher), health_(health), shard_(shard), onAnswered_(std::move(onAnswered)) {}

void RedisReadinessProbe::start() {
    retry_ = dispatcher_.createTimer([this] { ping(); });
    ping();
}

void RedisReadinessProbe::stop() {
    stopped_ = true;
    retry_.reset();
}

void RedisReadinessProbe::ping() {
    if (stopped_ || answered_) return;
    // The probe lives as long as the shard, whose driver answers every call (with
    // Unavailable at the latest when it stops), before the shard is destroyed.
    health_.ping([this](const Status& alive) {
        if (stopped_ || answered_) return;
        if (alive.ok()) {
            answered_ = true;
            retry_.reset();
            if (onAnswered_) onAnswered_();
            return;
        }
        if (!warned_ && shard_ == 0) {
            warned_ = true;
            log::warning("Redis does not answer yet (" + alive.error().message +
                         "): not ready until it does");
        }
        if (retry_) retry_->enable(kRetry);
    });
}

}  // namespace zaqard::runtime
