// Keystone in front of the REST api (auth-and-config.md §1.1), the part of
// keystonemiddleware + Zaqar's SignedAndExtraSpecHeadersAuth that zaqard needs:
//  * `/` and requests with a URL-Signature header go on untouched (the api verifies the
//    signature; there is no EXTRA-SPEC bypass);
//  * every other request needs a valid X-Auth-Token: identity headers are replaced by the
//    token's, a missing/invalid token gets 401 + WWW-Authenticate, Keystone unreachable 503;
//  * delay_auth_decision passes unauthenticated requests on with X-Identity-Status: Invalid.
// The HTTP transport calls admit() before Api::handle; with noauth there is no gate.
#pragma once

#include <functional>
#include <string_view>

#include "src/api/request.h"
#include "src/auth/token_validator.h"
#include "src/config/config.h"

namespace zaqard::auth {

class RestAuthGate {
  public:
    using Proceed = std::function<void(api::Request)>;

    RestAuthGate(TokenValidator& validator, const config::KeystoneAuthOptions& options)
        : validator_(validator), options_(options) {}

    // Either `proceed` runs with the request to hand to Api::handle, or `respond` answers;
    // exactly one of them, once, possibly before admit() returns.
    void admit(api::Request request, Proceed proceed, api::Responder respond);

  private:
    TokenValidator& validator_;
    const config::KeystoneAuthOptions& options_;
};

// The one list of paths served without a token under Keystone (everything else -- paths
// that do not route, 405s, OPTIONS answers and 406s included -- answers 401 first, as
// keystonemiddleware in front of Zaqar does, so an unauthenticated client learns nothing
// about the API's shape): `/` (the version list), `/metrics` (scraped by Prometheus, which
// has no Keystone token) and the static console under `/console/`. Signed-URL requests
// also pass (the api verifies them).
bool publicWithoutToken(std::string_view path);

// keystonemiddleware's 401 (JSON body, WWW-Authenticate: Keystone uri="...").
api::Response unauthorizedResponse(const std::string& wwwAuthenticateUri);
// Zaqar's 503 body with keystonemiddleware's sentence.
api::Response keystoneUnavailableResponse();

}  // namespace zaqard::auth
