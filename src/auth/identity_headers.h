// keystonemiddleware's header handling on an api::Request: client-sent identity headers
// are removed, the validated token's are set (auth-and-config.md §1.1).
#pragma once

#include "src/api/request.h"
#include "src/auth/token_validator.h"

namespace zaqard::auth {

void stripIdentityHeaders(api::Headers& headers);
// Strips, then sets `identity`'s headers.
void applyIdentity(api::Headers& headers, const Identity& identity);
// X-Auth-Token, else X-Storage-Token; empty when neither is sent.
std::string tokenOf(const api::Headers& headers);

}  // namespace zaqard::auth
