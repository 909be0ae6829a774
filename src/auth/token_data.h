// Keystone v3 token documents ({"token": {...}} of GET /v3/auth/tokens) turned into an
// Identity with keystonemiddleware's request headers. Pure, so unit tests cover it.
#pragma once

#include <optional>
#include <string>

#include "src/auth/token_validator.h"

namespace zaqard::auth {

// nullopt when the body is not a token document or has no parsable expires_at.
std::optional<Identity> identityFromTokenBody(const std::string& body);

// The headers keystonemiddleware removes from every request before it sets its own
// (client-sent values must never reach the api under Keystone).
const std::vector<std::string>& identityHeaderNames();

}  // namespace zaqard::auth
