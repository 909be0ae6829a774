// What a validated Keystone token says about its bearer, and the asynchronous validator
// interface the transports call (keystone_authenticator.h implements it). Nothing here
// knows about HTTP clients.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace zaqard::auth {

struct Identity {
    std::string projectId;  // empty for tokens not scoped to a project
    double expiresAt = 0;   // seconds since the epoch
    // keystonemiddleware's identity headers for this token, in its spelling
    // (X-Identity-Status, X-Project-Id, X-Roles, X-User-Id, legacy aliases, ...).
    std::vector<std::pair<std::string, std::string>> headers;
    // The token this identity was validated from: applyIdentity sets it as X-Auth-Token,
    // so a request made on a WebSocket connection (whose frames carry no token: it was
    // sent once, in `authenticate`) still has the caller's token for what needs one, the
    // trust a trust+ subscription creates (src/api/handlers/subscriptions.cpp).
    std::string token;
};

enum class Verdict {
    Valid,
    Invalid,      // missing, unknown, expired or revoked token: 401
    Unavailable,  // Keystone could not be asked (down, slow, 5xx, login refused): 503
};

struct Validation {
    Verdict verdict = Verdict::Invalid;
    std::shared_ptr<const Identity> identity;  // set when Valid
};

class TokenValidator {
  public:
    using Done = std::function<void(const Validation&)>;
    virtual ~TokenValidator() = default;
    // Answers exactly once, possibly before returning (cache hit), on the loop thread.
    virtual void validate(const std::string& token, Done done) = 0;
};

}  // namespace zaqard::auth
