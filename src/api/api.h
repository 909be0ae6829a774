// The api layer's entry point: one action table serving every transport, as Zaqar's v2
// endpoints do. Validation, Zaqar's status codes and error bodies live here.
#pragma once

#include <memory>

#include "src/api/policy/policy.h"
#include "src/api/request.h"
#include "src/api/trusts.h"
#include "src/config/config.h"
#include "storage/storage.h"

namespace zaqard::api {

class Waiters;

class Api {
  public:
    // `policy` is the RBAC policy loaded at start-up (policy_loader.h), shared read-only
    // by every shard; null means Zaqar's default rules.
    Api(const config::Config& config, storage::Storage storage,
        std::shared_ptr<const policy::Policy> policy = nullptr);

    // Validates `request`, runs it against storage and answers through `respond`
    // exactly once (possibly before returning).
    void handle(Request request, Responder respond);

    // The shard's long-polling waiters (waiters.h); without them `wait` answers at once.
    void setWaiters(Waiters* waiters) { waiters_ = waiters; }

    const config::Config& config() const { return config_; }
    // trust+ subscriptions get a Keystone trust through `maker` (unset: none is made).
    void setTrustMaker(TrustMaker maker) { trustMaker_ = std::move(maker); }
    storage::Storage& storage() { return storage_; }

  private:
    const config::Config& config_;
    storage::Storage storage_;
    std::shared_ptr<const policy::Policy> policy_;
    Waiters* waiters_ = nullptr;
    TrustMaker trustMaker_;
};

}  // namespace zaqard::api
