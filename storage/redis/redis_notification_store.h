// NotificationStore on Redis: per-queue job streams read through one consumer group,
// retry/held/dead-letter structures (notification_keys.h), scripts notify_fetch.lua and
// notify_settle.lua.
#pragma once

#include "storage/redis/redis_context.h"
#include "storage/storage.h"

namespace zaqard::storage::redis {

// The consumer group every notifier of every process reads with.
inline constexpr const char* kNotifierGroup = "notifiers";

class RedisNotificationStore : public NotificationStore {
  public:
    explicit RedisNotificationStore(RedisContext& context) : context_(context) {}

    void registry(Callback<std::vector<std::string>> done) override;
    void fetch(const std::string& tag, const std::string& consumer, int64_t count,
               int64_t claimIdleMs, int64_t leaseMs, Callback<NotificationBatch> done) override;
    void ack(const std::string& tag, const std::string& jobId, Callback<Unit> done) override;
    void scheduleRetry(const std::string& tag, const std::string& recordId,
                       const std::string& record, int64_t dueMs, Callback<Unit> done) override;
    void finishRetry(const std::string& tag, const std::string& recordId,
                     Callback<Unit> done) override;
    void hold(const std::string& tag, const std::string& subscriptionId,
              const std::string& recordId, const std::string& record, int64_t expiresMs,
              Callback<Unit> done) override;
    void deadLetter(const std::string& tag, const std::string& recordId,
                    const std::vector<std::pair<std::string, std::string>>& entry,
                    Callback<Unit> done) override;

  private:
    void settle(const std::string& tag, std::vector<std::string> args, Callback<Unit> done);

    RedisContext& context_;
};

}  // namespace zaqard::storage::redis
