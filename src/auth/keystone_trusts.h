// Keystone v3 trusts for trust+http(s) subscriptions, as Zaqar makes them
// (zaqar/common/auth.py, notification/tasks/trust.py; docs/security.md):
//  - create: POST /v3/OS-TRUST/trusts with the caller's token, trustor = the caller,
//    trustee = the [trustee] user (its id learnt once from its own password login),
//    the token's project and roles, impersonation, expiring with the subscription;
//  - token: a trust-scoped token for the trustee (password + OS-TRUST:trust scope),
//    cached per trust until a minute before it expires. Keystone's 401/403/404 there
//    mean the trust is gone (deleted, expired, trustor disabled): Refused, with the reason.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "src/api/trusts.h"
#include "src/config/config.h"
#include "src/event/dispatcher.h"
#include "src/http_client/http_client.h"

namespace zaqard::auth {

enum class TrustTokenStatus { Ok, Refused, Unavailable };

struct TrustToken {
    TrustTokenStatus status = TrustTokenStatus::Unavailable;
    std::string token;   // with Ok
    std::string reason;  // otherwise
};

class KeystoneTrusts {
  public:
    KeystoneTrusts(event::Dispatcher& dispatcher, const config::TrusteeOptions& trustee,
                   const config::KeystoneAuthOptions& keystone);
    ~KeystoneTrusts() { *alive_ = false; }

    void create(const api::TrustRequest& request, std::function<void(Result<std::string>)> done);
    // `fresh`: ask Keystone even when a cached token is still valid.
    void token(const std::string& trustId, bool fresh, std::function<void(TrustToken)> done);

  private:
    void withTrusteeId(std::function<void(bool ok)> done);
    void sendCreate(const api::TrustRequest& request,
                    std::function<void(Result<std::string>)> done);
    http_client::HttpRequest request(std::string method, std::string path) const;

    const config::TrusteeOptions& trustee_;
    const config::KeystoneAuthOptions& keystone_;
    std::string base_;
    std::string trusteeUserId_;
    struct Cached {
        std::string token;
        double expiresAt = 0;
    };
    std::unordered_map<std::string, Cached> tokens_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    http_client::HttpClient http_;  // last: destroyed first, so no callback outlives us
};

}  // namespace zaqard::auth
