#include "src/api/policy/rules.h"

#include "src/api/action_table.h"

namespace zaqard::api::policy {

std::span<const DefaultRule> defaultRules() {
    return kDefaultRules;
}

const char* ruleForAction(Action action) {
    int a = static_cast<int>(action);
    if (a < 0 || a >= kActionCount) return nullptr;
    return actionSpec(action).rule;
}

}  // namespace zaqard::api::policy
