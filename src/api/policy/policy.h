// The RBAC policy: Zaqar's default rules, overridden by the operator's policy files, with
// every `rule:` reference resolved. Built once at start-up, then shared read-only by all
// shards: checking a request is an array lookup and, for a non-empty rule, a short walk.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "src/api/policy/check.h"
#include "src/api/policy/rules.h"
#include "src/api/request.h"
#include "src/common/result.h"

namespace zaqard::api::policy {

class Credentials;

class Policy {
  public:
    // Zaqar's defaults (defaultRules()).
    Policy();

    // Replaces or adds a rule. Parse errors are returned, not deferred. Call resolve()
    // after the last override.
    Status set(const std::string& name, Check check);
    Status set(const std::string& name, std::string_view checkString);

    // Binds every `rule:` to its rule; fails on a reference to an unknown rule or a cycle
    // (oslo would silently deny, or recurse without end).
    Status resolve();

    // Whether the caller passes the rule guarding `action` (actions no rule guards pass).
    bool allows(Action action, const Headers& headers) const;
    // Whether the caller passes rule `name`; an unknown rule denies (oslo's enforce()
    // with no "default" rule).
    bool allows(std::string_view name, const Headers& headers) const;

    // The rule guarding `action` in this policy, for logs and tests.
    const Check* ruleFor(Action action) const;

  private:
    bool evaluate(const Check& check, const Credentials& credentials, int depth) const;
    void bindActions();

    std::vector<std::string> names_;
    std::vector<Check> rules_;
    std::unordered_map<std::string, int> index_;
    // Per action: the rule index, or -1 when no rule guards it; `open_` marks rules that
    // are "" or "@", so the common case never looks at the headers.
    std::array<int, kActionCount> actionRule_{};
    std::array<bool, kActionCount> actionOpen_{};
};

// 403 "Not authorized" / "You are not authorized to complete this action."
Response notAuthorized();

}  // namespace zaqard::api::policy
