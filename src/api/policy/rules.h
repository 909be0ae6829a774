// Zaqar's RBAC rule names and their defaults (zaqar/common/policies/, auth-and-config.md
// §4), keyed by rule name. Which rule guards an action is the action table's `rule`
// column (action_table.h); its static checks use kDefaultRules, hence constexpr here.
#pragma once

#include <span>
#include <string_view>

#include "src/api/request.h"

namespace zaqard::api::policy {

struct DefaultRule {
    const char* name;
    const char* check;  // oslo.policy check string
};

// Every rule Zaqar registers, including those of routes zaqard does not serve yet
// (topics, pools, flavors), so operator files naming them load.
inline constexpr DefaultRule kDefaultRules[] = {
    {"context_is_admin", "role:admin"},
    {"admin_or_owner", "is_admin:True or project_id:%(project_id)s"},
    {"queues:get_all", ""},
    {"queues:create", ""},
    {"queues:get", ""},
    {"queues:delete", ""},
    {"queues:update", ""},
    {"queues:stats", ""},
    {"queues:share", ""},
    {"queues:purge", ""},
    // zaqard's own (beyond Zaqar; docs/api.md), open like Zaqar's queue rules: Zaqar's
    // admin_or_owner needs a target with project_id, and Zaqar passes none (always false).
    {"queues:redrive", ""},
    {"messages:get_all", ""},
    {"messages:create", ""},
    {"messages:get", ""},
    {"messages:delete", ""},
    {"messages:delete_all", ""},
    {"claims:create", ""},
    {"claims:get", ""},
    {"claims:update", ""},
    {"claims:delete", ""},
    {"subscription:get_all", ""},
    {"subscription:create", ""},
    {"subscription:get", ""},
    {"subscription:update", ""},
    {"subscription:delete", ""},
    {"subscription:confirm", ""},
    {"subscription:dead_letter_list", ""},
    {"subscription:dead_letter_delete", ""},
    {"topics:get_all", ""},
    {"topics:create", ""},
    {"topics:get", ""},
    {"topics:delete", ""},
    {"topics:update", ""},
    {"topics:stats", ""},
    {"topics:purge", ""},
    {"ping:get", ""},
    {"health:get", "role:admin"},
    {"pools:get_all", "role:admin"},
    {"pools:create", "role:admin"},
    {"pools:get", "role:admin"},
    {"pools:delete", "role:admin"},
    {"pools:update", "role:admin"},
    {"flavors:get_all", ""},
    {"flavors:get", ""},
    {"flavors:create", "role:admin"},
    {"flavors:delete", "role:admin"},
    {"flavors:update", "role:admin"},
};

constexpr bool isDefaultRule(std::string_view name) {
    for (const DefaultRule& rule : kDefaultRules)
        if (name == rule.name) return true;
    return false;
}

std::span<const DefaultRule> defaultRules();

// The rule guarding `action` (its action table row), or nullptr for actions no rule
// guards (versions, the home document, 405 answers).
const char* ruleForAction(Action action);

}  // namespace zaqard::api::policy
