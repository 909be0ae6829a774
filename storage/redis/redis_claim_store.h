// ClaimStore on Redis: one EVALSHA per call (claim_create/get/renew/release scripts).
#pragma once

#include "storage/redis/redis_context.h"
#include "storage/storage.h"

namespace zaqard::storage::redis {

class RedisClaimStore : public ClaimStore {
  public:
    explicit RedisClaimStore(RedisContext& context) : context_(context) {}

    void create(const ClaimRequest& request, Callback<ClaimResult> done) override;
    void get(const QueueRef& queue, const std::string& claimId, Callback<ClaimInfo> done) override;
    void renew(const QueueRef& queue, const std::string& claimId, int64_t ttl, int64_t grace,
               Callback<Unit> done) override;
    void release(const QueueRef& queue, const std::string& claimId, Callback<Unit> done) override;

  private:
    RedisContext& context_;
};

}  // namespace zaqard::storage::redis
