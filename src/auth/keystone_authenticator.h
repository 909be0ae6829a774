// TokenValidator for auth_strategy = keystone, one per shard: the token cache first, then
// Keystone; concurrent validations of one token share a single Keystone request.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "src/auth/keystone_client.h"
#include "src/auth/token_cache.h"
#include "src/auth/token_validator.h"

namespace zaqard::auth {

class KeystoneAuthenticator : public TokenValidator {
  public:
    KeystoneAuthenticator(event::Dispatcher& dispatcher,
                          const config::KeystoneAuthOptions& options);
    ~KeystoneAuthenticator() override;

    void validate(const std::string& token, Done done) override;

  private:
    void finish(const std::string& key, const Validation& validation);

    TokenCache cache_;
    std::unordered_map<std::string, std::vector<Done>> inFlight_;
    KeystoneClient client_;
};

}  // namespace zaqard::auth
