#include "src/auth/identity_headers.h"

#include "src/auth/token_data.h"

namespace zaqard::auth {

void stripIdentityHeaders(api::Headers& headers) {
    for (const std::string& name : identityHeaderNames()) headers.erase(name);
}

void applyIdentity(api::Headers& headers, const Identity& identity) {
    stripIdentityHeaders(headers);
    for (const auto& [name, value] : identity.headers) headers[name] = value;
    // The validated token replaces whatever token header the request carried: a WebSocket
    // frame's own X-Auth-Token was never validated and must not reach Keystone as the
    // caller's.
    if (!identity.token.empty()) {
        headers.erase("X-Storage-Token");
        headers["X-Auth-Token"] = identity.token;
    }
}

std::string tokenOf(const api::Headers& headers) {
    auto it = headers.find("X-Auth-Token");
    if (it == headers.end()) it = headers.find("X-Storage-Token");
    return it == headers.end() ? std::string() : it->second;
}

}  // namespace zaqard::auth
