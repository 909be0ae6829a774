// RBAC hook (rest-v2.md §1.2 step 10). For now it enforces Zaqar's default rules only:
// `health:get` needs role:admin, everything this layer serves is open. The policy-engine
// issue replaces policyAllows() with oslo.policy rules read from the operator's file.
#pragma once

#include "src/api/request.h"

namespace zaqard::api {

// Whether the caller's credentials (X-Roles, ...) pass the rule guarding `action`.
bool policyAllows(Action action, const Headers& headers);

// 403 "Not authorized" / "You are not authorized to complete this action."
Response notAuthorized();

}  // namespace zaqard::api
