// Subscription filter policies (notifiers/filter_policy.h): validation reasons and the
// SNS matching rules, over jansson values.
#include <gtest/gtest.h>

#include <string>

#include "notifiers/filter_policy.h"
#include "src/common/json.h"

namespace zaqard::notifiers {
namespace {

Json parse(const std::string& text) {
    Json value = parseJsonValue(text);
    EXPECT_TRUE(value) << text;
    return value;
}

std::string problem(const std::string& policy) {
    auto p = validateFilterPolicy(parse(policy).get());
    return p ? *p : "";
}

bool matches(const std::string& policy, const std::string& body) {
    Json p = parse(policy);
    EXPECT_EQ(validateFilterPolicy(p.get()), std::nullopt) << policy;
    return matchesFilterPolicy(p.get(), parse(body).get());
}

TEST(FilterPolicy, AcceptsEveryOperator) {
    EXPECT_EQ(problem(R"({})"), "");
    EXPECT_EQ(problem(R"({"color": ["red", "blue", 3, 2.5, true, null]})"), "");
    EXPECT_EQ(problem(R"({"name": [{"prefix": "ab"}]})"), "");
    EXPECT_EQ(problem(R"({"n": [{"numeric": [">", 0, "<=", 100]}, {"numeric": ["=", 7]}]})"), "");
    EXPECT_EQ(problem(R"({"k": [{"exists": true}], "j": [{"exists": false}]})"), "");
    EXPECT_EQ(problem(R"({"k": [{"anything-but": ["a", 1]}, {"anything-but": "b"}]})"), "");
    EXPECT_EQ(problem(R"({"k": [{"anything-but": 5}, {"anything-but": {"prefix": "x"}}]})"), "");
}

TEST(FilterPolicy, RefusesWithAReason) {
    EXPECT_EQ(problem(R"(["a"])"), "filter_policy must be an object.");
    EXPECT_EQ(problem(R"("x")"), "filter_policy must be an object.");
    EXPECT_EQ(problem(R"({"a":[1],"b":[1],"c":[1],"d":[1],"e":[1],"f":[1]})"),
              "filter_policy: at most 5 keys are allowed, got 6.");
    EXPECT_EQ(problem(R"({"k": "red"})"),
              "filter_policy: key 'k': the value must be a non-empty list of conditions.");
    EXPECT_EQ(problem(R"({"k": []})"),
              "filter_policy: key 'k': the value must be a non-empty list of conditions.");
    EXPECT_EQ(problem(R"({"k": {"x": ["a"]}})"),
              "filter_policy: key 'k': nested keys are not supported (top-level keys of the "
              "body only).");
    EXPECT_EQ(problem(R"({"k": [["a"]]})"),
              "filter_policy: key 'k': a condition may not be a list.");
    EXPECT_EQ(problem(R"({"k": [{"suffix": "a"}]})"),
              "filter_policy: key 'k': unknown operator 'suffix' (prefix, numeric, exists and "
              "anything-but are supported).");
    EXPECT_EQ(problem(R"({"k": [{"prefix": "a", "exists": true}]})"),
              "filter_policy: key 'k': an operator condition is an object with exactly one "
              "operator.");
    EXPECT_EQ(problem(R"({"k": [{"prefix": ""}]})"),
              "filter_policy: key 'k': prefix must be a non-empty string.");
    EXPECT_EQ(problem(R"({"k": [{"prefix": 3}]})"),
              "filter_policy: key 'k': prefix must be a non-empty string.");
    EXPECT_EQ(problem(R"({"k": [{"exists": 1}]})"),
              "filter_policy: key 'k': exists must be true or false.");
    EXPECT_EQ(problem(R"({"k": [{"numeric": [">", 0, "<"]}]})"),
              "filter_policy: key 'k': numeric takes [operator, number] or [lower operator, "
              "number, upper operator, number].");
    EXPECT_EQ(problem(R"({"k": [{"numeric": ["!=", 0]}]})"),
              "filter_policy: key 'k': numeric operators are =, <, <=, > and >=.");
    EXPECT_EQ(problem(R"({"k": [{"numeric": [">", "1"]}]})"),
              "filter_policy: key 'k': numeric bounds must be numbers.");
    EXPECT_EQ(problem(R"({"k": [{"numeric": [">", true]}]})"),
              "filter_policy: key 'k': numeric bounds must be numbers.");
    EXPECT_EQ(problem(R"({"k": [{"numeric": [">", 2e9]}]})"),
              "filter_policy: key 'k': numeric bounds must lie between -1e9 and 1e9.");
    EXPECT_EQ(problem(R"({"k": [{"numeric": ["<", 0, ">", 10]}]})"),
              "filter_policy: key 'k': a numeric range is a lower bound (> or >=) then an upper "
              "bound (< or <=).");
    EXPECT_EQ(problem(R"({"k": [{"numeric": [">", 10, "<", 10]}]})"),
              "filter_policy: key 'k': the lower bound of a numeric range must be below its "
              "upper bound.");
    EXPECT_EQ(problem(R"({"k": [{"anything-but": []}]})"),
              "filter_policy: key 'k': anything-but takes a value, a list of values or "
              "{\"prefix\": ...}.");
    EXPECT_EQ(problem(R"({"k": [{"anything-but": [true]}]})"),
              "filter_policy: key 'k': anything-but values must be strings or numbers.");
    EXPECT_EQ(problem(R"({"k": [{"anything-but": {"suffix": "x"}}]})"),
              "filter_policy: key 'k': anything-but takes a value, a list of values or "
              "{\"prefix\": ...}.");
    // 6 * 5 * 6 = 180 combinations.
    EXPECT_EQ(problem(R"({"a": [1,2,3,4,5,6], "b": [1,2,3,4,5], "c": [1,2,3,4,5,6]})"),
              "filter_policy: more than 150 combinations of conditions (the product of the list "
              "sizes).");
}

TEST(FilterPolicy, ExactValuesOrWithinAKeyAndAcrossKeys) {
    const std::string policy = R"({"color": ["red", "blue"], "size": [3]})";
    EXPECT_TRUE(matches(policy, R"({"color": "red", "size": 3})"));
    EXPECT_TRUE(matches(policy, R"({"color": "blue", "size": 3.0, "other": 1})"));
    EXPECT_FALSE(matches(policy, R"({"color": "green", "size": 3})"));
    EXPECT_FALSE(matches(policy, R"({"color": "red"})"));
    EXPECT_FALSE(matches(policy, R"({"color": "red", "size": "3"})"));
    EXPECT_FALSE(matches(policy, R"({"color": "Red", "size": 3})"));
    EXPECT_TRUE(matches(R"({"ok": [true]})", R"({"ok": true})"));
    EXPECT_FALSE(matches(R"({"ok": [true]})", R"({"ok": 1})"));
    EXPECT_TRUE(matches(R"({"v": [null]})", R"({"v": null})"));
    EXPECT_FALSE(matches(R"({"v": [null]})", R"({})"));
    // An array value matches when one element does.
    EXPECT_TRUE(matches(policy, R"({"color": ["green", "blue"], "size": 3})"));
    EXPECT_FALSE(matches(policy, R"({"color": [], "size": 3})"));
    // Nested objects are values, not matched by scalars.
    EXPECT_FALSE(matches(policy, R"({"color": {"red": 1}, "size": 3})"));
}

TEST(FilterPolicy, EmptyPolicyMatchesEverything) {
    EXPECT_TRUE(matches("{}", R"({"a": 1})"));
    EXPECT_TRUE(matches("{}", R"("text")"));
}

TEST(FilterPolicy, Prefix) {
    const std::string policy = R"({"name": [{"prefix": "ab"}]})";
    EXPECT_TRUE(matches(policy, R"({"name": "abc"})"));
    EXPECT_TRUE(matches(policy, R"({"name": "ab"})"));
    EXPECT_FALSE(matches(policy, R"({"name": "a"})"));
    EXPECT_FALSE(matches(policy, R"({"name": "xab"})"));
    EXPECT_FALSE(matches(policy, R"({"name": 12})"));
}

TEST(FilterPolicy, NumericRanges) {
    const std::string policy = R"({"n": [{"numeric": [">", 0, "<=", 100]}]})";
    EXPECT_TRUE(matches(policy, R"({"n": 1})"));
    EXPECT_TRUE(matches(policy, R"({"n": 100})"));
    EXPECT_TRUE(matches(policy, R"({"n": 0.5})"));
    EXPECT_FALSE(matches(policy, R"({"n": 0})"));
    EXPECT_FALSE(matches(policy, R"({"n": 100.01})"));
    EXPECT_FALSE(matches(policy, R"({"n": "50"})"));
    EXPECT_FALSE(matches(policy, R"({"n": true})"));
    EXPECT_FALSE(matches(policy, R"({})"));
    EXPECT_TRUE(matches(R"({"n": [{"numeric": ["=", 7]}]})", R"({"n": 7.0})"));
    EXPECT_TRUE(matches(R"({"n": [{"numeric": ["<", -1]}]})", R"({"n": -3})"));
    EXPECT_TRUE(matches(R"({"n": [{"numeric": [">=", 5]}]})", R"({"n": [1, 5]})"));
}

TEST(FilterPolicy, Exists) {
    EXPECT_TRUE(matches(R"({"k": [{"exists": true}]})", R"({"k": null})"));
    EXPECT_TRUE(matches(R"({"k": [{"exists": true}]})", R"({"k": 0})"));
    EXPECT_FALSE(matches(R"({"k": [{"exists": true}]})", R"({"j": 0})"));
    EXPECT_TRUE(matches(R"({"k": [{"exists": false}]})", R"({"j": 0})"));
    EXPECT_FALSE(matches(R"({"k": [{"exists": false}]})", R"({"k": 0})"));
    // A body that is not an object has no keys.
    EXPECT_TRUE(matches(R"({"k": [{"exists": false}]})", R"([1, 2])"));
    EXPECT_FALSE(matches(R"({"k": [{"exists": true}]})", R"("k")"));
    EXPECT_FALSE(matches(R"({"k": ["k"]})", R"("k")"));
    // OR with another condition: either absent or "x".
    EXPECT_TRUE(matches(R"({"k": [{"exists": false}, "x"]})", R"({"k": "x"})"));
    EXPECT_FALSE(matches(R"({"k": [{"exists": false}, "x"]})", R"({"k": "y"})"));
}

TEST(FilterPolicy, AnythingBut) {
    const std::string list = R"({"k": [{"anything-but": ["a", 1]}]})";
    EXPECT_TRUE(matches(list, R"({"k": "b"})"));
    EXPECT_TRUE(matches(list, R"({"k": 2})"));
    EXPECT_FALSE(matches(list, R"({"k": "a"})"));
    EXPECT_FALSE(matches(list, R"({"k": 1.0})"));
    // The key must be present.
    EXPECT_FALSE(matches(list, R"({})"));
    EXPECT_TRUE(matches(R"({"k": [{"anything-but": "a"}]})", R"({"k": "b"})"));
    EXPECT_FALSE(matches(R"({"k": [{"anything-but": "a"}]})", R"({"k": "a"})"));
    const std::string prefix = R"({"k": [{"anything-but": {"prefix": "tmp-"}}]})";
    EXPECT_TRUE(matches(prefix, R"({"k": "prod-1"})"));
    EXPECT_FALSE(matches(prefix, R"({"k": "tmp-1"})"));
}

TEST(FilterPolicy, MatcherNeverMatchesWhatItDoesNotUnderstand) {
    Json odd = parseJsonValue(R"({"k": [{"suffix": "x"}]})");
    EXPECT_FALSE(matchesFilterPolicy(odd.get(), parseJsonValue(R"({"k": "ax"})").get()));
    EXPECT_FALSE(matchesFilterPolicy(nullptr, parseJsonValue("{}").get()));
    Json policy = parseJsonValue(R"({"k": ["a"]})");
    EXPECT_FALSE(matchesFilterPolicy(policy.get(), nullptr));
}

}  // namespace
}  // namespace zaqard::notifiers
