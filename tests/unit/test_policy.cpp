// Unit tests of the RBAC policy engine: oslo.policy check-string parsing (precedence,
// parentheses, @/!, rule:/role:/generic checks), evaluation against request headers,
// Zaqar's default rules and policy-file loading (JSON, YAML, legacy lists, errors).
#include <gtest/gtest.h>

#include "src/api/policy/check.h"
#include "src/api/policy/policy.h"
#include "src/api/policy/policy_loader.h"

namespace zaqard::api::policy {
namespace {

Headers roles(const std::string& value) {
    Headers headers;
    headers["X-Project-ID"] = "proj";
    headers["Client-ID"] = "c";
    if (!value.empty()) headers["X-Roles"] = value;
    return headers;
}

// Evaluates `check` as rule "t" of a default policy (plus `extra` rules).
bool passes(const std::string& check, const std::string& rolesHeader,
            const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    Policy policy;
    for (const auto& [name, text] : extra) EXPECT_TRUE(policy.set(name, text).ok()) << text;
    auto status = policy.set("t", check);
    EXPECT_TRUE(status.ok()) << check << ": " << (status.ok() ? "" : status.error().message);
    EXPECT_TRUE(policy.resolve().ok());
    return policy.allows(std::string_view("t"), roles(rolesHeader));
}

std::string parseError(const std::string& text) {
    auto check = parseCheck(text);
    return check ? std::string() : check.error().message;
}

TEST(PolicyCheck, EmptyAtAndBang) {
    EXPECT_TRUE(passes("", ""));
    EXPECT_TRUE(passes("@", ""));
    EXPECT_FALSE(passes("!", "admin"));
    EXPECT_FALSE(passes("not @", ""));
    EXPECT_TRUE(passes("not !", ""));
}

TEST(PolicyCheck, Roles) {
    EXPECT_TRUE(passes("role:admin", "admin"));
    EXPECT_TRUE(passes("role:admin", "member,admin"));
    EXPECT_TRUE(passes("role:Admin", "ADMIN"));  // case-insensitive, as oslo
    EXPECT_TRUE(passes("role:admin", "member, admin"));
    EXPECT_FALSE(passes("role:admin", "administrator"));
    EXPECT_FALSE(passes("role:admin", ""));
    // role:compute:admin is the role "compute:admin".
    EXPECT_TRUE(passes("role:compute:admin", "compute:admin"));
}

TEST(PolicyCheck, AndOrNotPrecedence) {
    // not > and > or, as oslo's grammar reduces them.
    EXPECT_TRUE(passes("role:a or role:b and role:c", "a"));
    EXPECT_FALSE(passes("role:a or role:b and role:c", "b"));
    EXPECT_TRUE(passes("role:a or role:b and role:c", "b,c"));
    EXPECT_TRUE(passes("role:a and role:b or role:c", "c"));
    EXPECT_FALSE(passes("role:a and role:b or role:c", "a"));
    EXPECT_FALSE(passes("(role:a or role:b) and role:c", "a"));
    EXPECT_TRUE(passes("(role:a or role:b) and role:c", "a,c"));
    EXPECT_TRUE(passes("not role:a and role:b", "b"));
    EXPECT_FALSE(passes("not role:a and role:b", "a,b"));
    EXPECT_TRUE(passes("not (role:a and role:b)", "a"));
    EXPECT_FALSE(passes("not (role:a or role:b)", "b"));
    EXPECT_TRUE(passes("role:x or not role:y", ""));
    EXPECT_TRUE(passes("((role:a)) AND (role:b OR role:c)", "a,c"));  // words any case
    EXPECT_TRUE(passes("not not role:a", "a"));
}

TEST(PolicyCheck, RuleReferences) {
    EXPECT_TRUE(passes("rule:context_is_admin", "admin"));
    EXPECT_FALSE(passes("rule:context_is_admin", "member"));
    EXPECT_TRUE(passes("rule:r1 or role:z", "y", {{"r1", "role:x or rule:r2"}, {"r2", "role:y"}}));
    Policy policy;
    ASSERT_TRUE(policy.set("t", "rule:missing").ok());
    EXPECT_NE(policy.resolve().error().message.find("undefined rule \"missing\""),
              std::string::npos);
    Policy cyclic;
    ASSERT_TRUE(cyclic.set("a", "role:x or rule:b").ok());
    ASSERT_TRUE(cyclic.set("b", "rule:a").ok());
    EXPECT_NE(cyclic.resolve().error().message.find("refers to itself"), std::string::npos);
}

TEST(PolicyCheck, GenericChecksAgainstZaqarContext) {
    // Zaqar's target is always {}: anything needing "%(...)s" is false.
    EXPECT_FALSE(passes("project_id:%(project_id)s", "admin"));
    EXPECT_FALSE(passes("role:%(role)s", "admin"));
    // The context is never admin.
    EXPECT_FALSE(passes("is_admin:True", "admin"));
    EXPECT_TRUE(passes("is_admin:False", ""));
    EXPECT_FALSE(passes("rule:admin_or_owner", "admin"));
    // Credentials compared to literal values.
    EXPECT_TRUE(passes("project_id:proj", ""));
    EXPECT_FALSE(passes("project_id:other", ""));
    EXPECT_TRUE(passes("roles:admin", "admin"));
    EXPECT_FALSE(passes("roles:Admin", "admin"));  // generic checks are exact
    EXPECT_TRUE(passes("user:None", ""));
    EXPECT_FALSE(passes("nosuchkey:x", ""));
    // A Python literal on the left is compared with the right as text.
    EXPECT_TRUE(passes("'member':member", ""));
    EXPECT_TRUE(passes("True:True", ""));
    EXPECT_FALSE(passes("True:False", ""));
}

TEST(PolicyCheck, ParseErrors) {
    EXPECT_EQ(parseError("role:a"), "");
    EXPECT_NE(parseError("role:a or").find("unexpected end"), std::string::npos);
    EXPECT_NE(parseError("(role:a").find("missing ')'"), std::string::npos);
    EXPECT_NE(parseError("role:a)").find("unexpected ')'"), std::string::npos);
    EXPECT_NE(parseError("role:a role:b").find("unexpected 'role:b'"), std::string::npos);
    EXPECT_NE(parseError("admin").find("is not a check"), std::string::npos);
    EXPECT_NE(parseError("   ").find("only blanks"), std::string::npos);
    EXPECT_NE(parseError("'quoted'").find("quoted string"), std::string::npos);
    EXPECT_NE(parseError("https://example/x").find("not supported"), std::string::npos);
    EXPECT_NE(parseError("and role:a").find("unexpected 'and'"), std::string::npos);
}

TEST(PolicyDefaults, ZaqarRulesAndActions) {
    Policy policy;
    EXPECT_TRUE(policy.allows(Action::MessagePost, roles("")));
    EXPECT_TRUE(policy.allows(Action::QueueList, roles("")));
    EXPECT_FALSE(policy.allows(Action::Health, roles("member")));
    EXPECT_TRUE(policy.allows(Action::Health, roles("admin")));
    EXPECT_TRUE(policy.allows(Action::Versions, roles("")));
    for (const char* name : {"pools:create", "flavors:delete", "context_is_admin"})
        EXPECT_FALSE(policy.allows(std::string_view(name), roles(""))) << name;
    for (const char* name : {"topics:get_all", "flavors:get", "subscription:confirm"})
        EXPECT_TRUE(policy.allows(std::string_view(name), roles(""))) << name;
    EXPECT_FALSE(policy.allows(std::string_view("no:such:rule"), roles("admin")));
    // Every routed action maps to one of Zaqar's rules.
    for (int a = 0; a < kActionCount; ++a) {
        auto action = static_cast<Action>(a);
        const char* name = ruleForAction(action);
        if (action == Action::MethodNotAllowed || action == Action::Versions ||
            action == Action::OpenApi || action == Action::GetHomeDoc ||
            action == Action::Metrics) {
            EXPECT_EQ(name, nullptr);
            continue;
        }
        ASSERT_NE(name, nullptr) << a;
        EXPECT_NE(policy.ruleFor(action), nullptr) << name;
    }
    EXPECT_STREQ(ruleForAction(Action::MessageDeleteMany), "messages:delete_all");
    EXPECT_STREQ(ruleForAction(Action::PingHead), "ping:get");
    EXPECT_STREQ(ruleForAction(Action::SubscriptionConfirm), "subscription:confirm");
}

TEST(PolicyLoader, JsonYamlAndLegacyLists) {
    Policy policy;
    ASSERT_TRUE(loadPolicyText(R"({"messages:create": "role:producer",
        "queues:create": [["role:a", "role:b"], ["role:c"]], "queues:get": null})",
                               policy)
                    .ok());
    ASSERT_TRUE(loadPolicyText("# comment\n\"queues:delete\": role:janitor\n"
                               "'queues:purge': '!'\nqueues:stats:\n",
                               policy)
                    .ok());
    ASSERT_TRUE(policy.resolve().ok());
    EXPECT_FALSE(policy.allows(Action::MessagePost, roles("member")));
    EXPECT_TRUE(policy.allows(Action::MessagePost, roles("producer")));
    EXPECT_FALSE(policy.allows(Action::QueueCreate, roles("a")));
    EXPECT_TRUE(policy.allows(Action::QueueCreate, roles("a,b")));
    EXPECT_TRUE(policy.allows(Action::QueueCreate, roles("c")));
    EXPECT_TRUE(policy.allows(Action::QueueGet, roles("")));
    EXPECT_TRUE(policy.allows(Action::QueueDelete, roles("janitor")));
    EXPECT_FALSE(policy.allows(Action::QueuePurge, roles("admin")));
    EXPECT_TRUE(policy.allows(Action::QueueStats, roles("")));  // YAML null: allowed
    Policy empty;
    EXPECT_TRUE(loadPolicyText("", empty).ok());
    EXPECT_TRUE(loadPolicyText("{}", empty).ok());
    EXPECT_FALSE(loadPolicyText("[1, 2]", empty).ok());
    EXPECT_FALSE(loadPolicyText("a: [unclosed", empty).ok());
    EXPECT_FALSE(loadPolicyText("a: b\n---\nc: d\n", empty).ok());
    EXPECT_FALSE(loadPolicyText(R"({"a": 5})", empty).ok());
    EXPECT_FALSE(loadPolicyText("a: {b: c}\n", empty).ok());
}

}  // namespace
}  // namespace zaqard::api::policy

// Found by tests/fuzz/fuzz_policy_check: 2,800 '(' overflowed the parser's stack.
TEST(PolicyCheck, DeepNestingIsAnErrorNotAStackOverflow) {
    std::string deep(5000, '(');
    auto parsed = zaqard::api::policy::parseCheck(deep + "role:admin" + std::string(5000, ')'));
    ASSERT_FALSE(parsed);
    EXPECT_NE(parsed.error().message.find("nested deeper than 64 levels"), std::string::npos);
    std::string nots;
    for (int i = 0; i < 5000; ++i) nots += "not ";
    EXPECT_FALSE(zaqard::api::policy::parseCheck(nots + "role:admin"));
    std::string fine = std::string(60, '(') + "role:admin" + std::string(60, ')');
    EXPECT_TRUE(zaqard::api::policy::parseCheck(fine));
}
