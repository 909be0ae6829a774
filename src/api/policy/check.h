// oslo.policy check strings (auth-and-config.md §4): the parsed form of a rule such as
// "role:admin or (rule:owner and not role:banned)" and its evaluation against a caller.
//
// Parsing happens once, at start-up; evaluating is a walk over a handful of nodes.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "src/common/result.h"

namespace zaqard::api::policy {

class Credentials;

struct Check {
    enum class Kind : unsigned char {
        Always,   // "" or "@"
        Never,    // "!"
        Role,     // role:<name>, compared case-insensitively
        Rule,     // rule:<name>, resolved to an index into the policy's rule table
        Generic,  // <credential>:<value> or <literal>:<value>
        Not,
        And,
        Or,
    };
    Kind kind = Kind::Always;
    std::string left;   // Generic: the credential name (or literal); Rule: the rule name
    std::string right;  // Role: the lower-cased role; Generic: the value to compare
    // oslo substitutes "%(key)s" from the target, which Zaqar always passes empty ({}):
    // such a check is false whatever the caller (a KeyError in oslo).
    bool needsTarget = false;
    // Generic with a Python literal on the left (True, 'x', 3): compared to `right` as is.
    bool literal = false;
    int rule = -1;  // Rule: index, set by Policy when every rule is known
    std::vector<Check> children;
};

// Parses a check string with oslo.policy's grammar: `not` binds tighter than `and`, which
// binds tighter than `or`; parentheses group; the words are case-insensitive. Unlike
// oslo (which logs and denies), an unparsable string is an error: a policy file must not
// be half understood. `http:`/`https:` checks are refused (no remote policy servers).
Result<Check> parseCheck(std::string_view text);

// oslo's legacy list syntax: [["a", "b"], ["c"]] means (a and b) or c; [] allows all.
Result<Check> parseListCheck(const std::vector<std::vector<std::string>>& alternatives);

// Calls `visit` on every `rule:` node of `check` (so the policy can resolve them).
void forEachRuleReference(Check& check, const std::function<void(Check&)>& visit);

}  // namespace zaqard::api::policy
