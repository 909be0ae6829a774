// Keystone trusts for trust+http(s) subscriptions (docs/security.md "Trust subscriptions"):
// what the api asks when such a subscription is created. The Keystone side lives in
// src/auth (keystone_trusts.h); the api only sees this function type.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "src/common/result.h"

namespace zaqard::api {

struct TrustRequest {
    std::string userToken;  // the caller's X-Auth-Token: Keystone lets a trustor make trusts
    std::string userId;     // X-User-Id: the trustor
    std::string projectId;  // the token's project
    std::vector<std::string> roles;  // X-Roles: delegated as they are
    int64_t ttl = 0;                 // seconds: the trust expires with the subscription
};

// Answers the new trust's id, or an error (logged; the client gets a 503).
using TrustMaker =
    std::function<void(const TrustRequest& request, std::function<void(Result<std::string>)>)>;

}  // namespace zaqard::api
