// Operator policy files (src/api/policy/policy_loader.h loadPolicyText): JSON or YAML maps
// of rules, string or oslo's legacy list form, over Zaqar's defaults; then resolved and
// evaluated for every action, as at start-up and on requests.
#include <cstddef>
#include <cstdint>
#include <string>

#include "src/api/action.h"
#include "src/api/policy/policy.h"
#include "src/api/policy/policy_loader.h"

using namespace zaqard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    api::policy::Policy policy;
    if (!api::policy::loadPolicyText(text, policy)) return 0;
    if (!policy.resolve()) return 0;
    const api::Headers caller = {
        {"X-Roles", "admin,Member"}, {"X-Project-ID", "p1"}, {"X-User-ID", "u1"}};
    for (int action = 0; action < api::kActionCount; ++action)
        (void)policy.allows(static_cast<api::Action>(action), caller);
    return 0;
}
