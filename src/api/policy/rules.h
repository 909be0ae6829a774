// Zaqar's RBAC rule names and their defaults (zaqar/common/policies/, auth-and-config.md
// §4), and which rule guards each api action.
#pragma once

#include <span>

#include "src/api/request.h"

namespace zaqard::api::policy {

struct DefaultRule {
    const char* name;
    const char* check;  // oslo.policy check string
};

// Every rule Zaqar registers, including those of routes zaqard does not serve yet
// (topics, pools, flavors), so operator files naming them load.
std::span<const DefaultRule> defaultRules();

// The rule guarding `action`, or nullptr for actions no rule guards (versions, the home
// document, 405 answers).
const char* ruleForAction(Action action);

// One past the highest Action value, for per-action tables.
inline constexpr int kActionCount = static_cast<int>(Action::SubscriptionConfirm) + 1;

}  // namespace zaqard::api::policy
