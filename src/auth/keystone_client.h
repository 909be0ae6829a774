// Keystone v3 over HTTP, asynchronously on a shard's loop: the service user's login
// (POST /v3/auth/tokens, password method, project scope -> X-Subject-Token) and user
// token validation (GET /v3/auth/tokens with X-Auth-Token = service token and
// X-Subject-Token = user token). The service token is renewed before it expires and
// whenever Keystone answers 401 to it. No caching here (keystone_authenticator.h).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "src/auth/token_validator.h"
#include "src/config/config.h"
#include "src/event/dispatcher.h"
#include "src/http_client/http_client.h"

namespace zaqard::auth {

class KeystoneClient {
  public:
    KeystoneClient(event::Dispatcher& dispatcher, const config::KeystoneAuthOptions& options);
    ~KeystoneClient() { *alive_ = false; }

    // Asks Keystone about `token`; `done` runs later on the loop (never inside this call).
    void validate(const std::string& token, TokenValidator::Done done);

    // "http://h:5000" or "http://h:5000/v3/" -> "http://h:5000/v3".
    static std::string identityBase(const std::string& authUrl);

  private:
    using LoginDone = std::function<void(bool ok)>;
    void withServiceToken(LoginDone done);
    void login();
    void finishLogin(bool ok);
    void sendValidation(const std::string& token, TokenValidator::Done done, bool retried);
    http_client::HttpRequest request(std::string method, std::string path) const;

    const config::KeystoneAuthOptions& options_;
    std::string base_;
    std::string serviceToken_;
    double serviceExpires_ = 0;
    bool loggingIn_ = false;
    std::vector<LoginDone> waitingForLogin_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for deferred calls
    http_client::HttpClient http_;  // last: destroyed first, so no callback outlives us
};

}  // namespace zaqard::auth
