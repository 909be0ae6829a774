// oslo.policy check strings (src/api/policy/check.h parseCheck): parsed, installed as a
// rule of Zaqar's default policy, resolved, and evaluated for a few callers, as a policy
// file's rule would be at start-up and on every request.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "src/api/policy/check.h"
#include "src/api/policy/policy.h"

using namespace zaqard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = api::policy::parseCheck(text);
    if (!parsed) return 0;
    api::policy::Policy policy;
    // As the guard of an action (messages:get is "rule:default_rule" by default) and as a
    // rule other rules may name.
    if (!policy.set("fuzz", parsed.value())) return 0;
    if (!policy.set("messages:get", text)) return 0;
    if (!policy.resolve()) return 0;
    const api::Headers callers[] = {
        {},
        {{"X-Roles", "admin,member"}, {"X-Project-ID", "p1"}, {"X-User-ID", "u1"}},
        {{"X-Roles", "reader"}, {"X-Project-ID", "p2"}, {"X-Is-Admin-Project", "True"}},
    };
    for (const auto& headers : callers) {
        (void)policy.allows(std::string_view("fuzz"), headers);
        (void)policy.allows(api::Action::MessageGet, headers);
    }
    return 0;
}
