// Filter policies: validation and matching; see filter_policy.h.
#include "notifiers/filter_policy.h"

#include <cmath>
#include <string_view>

namespace zaqard::notifiers {

namespace {

using Problem = std::optional<std::string>;

bool isNumber(const json_t* v) {
    return json_is_integer(v) || json_is_real(v);
}

double numberOf(const json_t* v) {
    return json_is_integer(v) ? static_cast<double>(json_integer_value(v)) : json_real_value(v);
}

// An exact value: a string, a number, a boolean or null.
bool isScalar(const json_t* v) {
    return json_is_string(v) || isNumber(v) || json_is_boolean(v) || json_is_null(v);
}

std::string keyText(const char* key) {
    return "filter_policy: key '" + std::string(key) + "': ";
}

bool isComparison(std::string_view op) {
    return op == "=" || op == "<" || op == "<=" || op == ">" || op == ">=";
}

Problem checkNumber(const json_t* v, const std::string& where) {
    if (!isNumber(v)) return where + "numeric bounds must be numbers.";
    double n = numberOf(v);
    if (!std::isfinite(n) || std::fabs(n) > kMaxFilterNumber)
        return where + "numeric bounds must lie between -1e9 and 1e9.";
    return std::nullopt;
}

Problem checkNumeric(const json_t* range, const std::string& where) {
    size_t size = json_array_size(range);
    if (!json_is_array(range) || (size != 2 && size != 4))
        return where +
               "numeric takes [operator, number] or [lower operator, number, upper "
               "operator, number].";
    for (size_t i = 0; i < size; i += 2) {
        const json_t* op = json_array_get(range, i);
        if (!json_is_string(op) || !isComparison(json_string_value(op)))
            return where + "numeric operators are =, <, <=, > and >=.";
        if (auto problem = checkNumber(json_array_get(range, i + 1), where)) return problem;
    }
    if (size == 4) {
        std::string_view low = json_string_value(json_array_get(range, 0));
        std::string_view high = json_string_value(json_array_get(range, 2));
        if ((low != ">" && low != ">=") || (high != "<" && high != "<="))
            return where +
                   "a numeric range is a lower bound (> or >=) then an upper bound "
                   "(< or <=).";
        if (numberOf(json_array_get(range, 1)) >= numberOf(json_array_get(range, 3)))
            return where + "the lower bound of a numeric range must be below its upper bound.";
    }
    return std::nullopt;
}

Problem checkPrefix(const json_t* prefix, const std::string& where) {
    if (!json_is_string(prefix) || json_string_length(prefix) == 0)
        return where + "prefix must be a non-empty string.";
    return std::nullopt;
}

Problem checkAnythingBut(const json_t* value, const std::string& where) {
    if (json_is_string(value) || isNumber(value)) return std::nullopt;
    if (json_is_object(value)) {
        if (json_object_size(value) != 1 || json_object_get(value, "prefix") == nullptr)
            return where + "anything-but takes a value, a list of values or {\"prefix\": ...}.";
        return checkPrefix(json_object_get(value, "prefix"), where);
    }
    if (!json_is_array(value) || json_array_size(value) == 0)
        return where + "anything-but takes a value, a list of values or {\"prefix\": ...}.";
    size_t i;
    const json_t* item;
    json_array_foreach(value, i, item) {
        if (!json_is_string(item) && !isNumber(item))
            return where + "anything-but values must be strings or numbers.";
    }
    return std::nullopt;
}

Problem checkCondition(const json_t* condition, const std::string& where) {
    if (isScalar(condition)) return std::nullopt;
    if (json_is_array(condition)) return where + "a condition may not be a list.";
    if (json_object_size(condition) != 1)
        return where + "an operator condition is an object with exactly one operator.";
    const char* op;
    const json_t* argument;
    json_object_foreach(const_cast<json_t*>(condition), op, argument) {
        std::string_view name = op;
        if (name == "prefix") return checkPrefix(argument, where);
        if (name == "numeric") return checkNumeric(argument, where);
        if (name == "anything-but") return checkAnythingBut(argument, where);
        if (name == "exists") {
            if (!json_is_boolean(argument)) return where + "exists must be true or false.";
            return std::nullopt;
        }
        return where + "unknown operator '" + std::string(name) +
               "' (prefix, numeric, exists and anything-but are supported).";
    }
    return std::nullopt;
}

// --- matching -------------------------------------------------------------------------

bool startsWith(const json_t* value, const json_t* prefix) {
    if (!json_is_string(value) || !json_is_string(prefix)) return false;
    std::string_view v(json_string_value(value), json_string_length(value));
    std::string_view p(json_string_value(prefix), json_string_length(prefix));
    return v.substr(0, p.size()) == p;
}

// Exact equality of a condition value and a body value (numbers numerically).
bool equalScalar(const json_t* condition, const json_t* value) {
    if (isNumber(condition)) return isNumber(value) && numberOf(condition) == numberOf(value);
    if (json_is_string(condition))
        return json_is_string(value) &&
               std::string_view(json_string_value(condition), json_string_length(condition)) ==
                   std::string_view(json_string_value(value), json_string_length(value));
    if (json_is_boolean(condition))
        return json_is_boolean(value) && json_is_true(condition) == json_is_true(value);
    if (json_is_null(condition)) return json_is_null(value);
    return false;
}

bool compare(std::string_view op, double value, double bound) {
    if (op == "=") return value == bound;
    if (op == "<") return value < bound;
    if (op == "<=") return value <= bound;
    if (op == ">") return value > bound;
    if (op == ">=") return value >= bound;
    return false;
}

bool inRange(const json_t* range, const json_t* value) {
    if (!isNumber(value) || !json_is_array(range)) return false;
    double v = numberOf(value);
    size_t size = json_array_size(range);
    if (size != 2 && size != 4) return false;
    for (size_t i = 0; i < size; i += 2) {
        const json_t* op = json_array_get(range, i);
        const json_t* bound = json_array_get(range, i + 1);
        if (!json_is_string(op) || !isNumber(bound)) return false;
        if (!compare(json_string_value(op), v, numberOf(bound))) return false;
    }
    return true;
}

bool anythingBut(const json_t* argument, const json_t* value) {
    if (json_is_object(argument)) {
        const json_t* prefix = json_object_get(argument, "prefix");
        return json_is_string(prefix) && !startsWith(value, prefix);
    }
    if (!json_is_array(argument)) return !equalScalar(argument, value);
    size_t i;
    const json_t* item;
    json_array_foreach(argument, i, item) {
        if (equalScalar(item, value)) return false;
    }
    return true;
}

// One condition against one (non-array) body value.
bool matchesValue(const json_t* condition, const json_t* value) {
    if (!json_is_object(condition)) return equalScalar(condition, value);
    if (const json_t* prefix = json_object_get(condition, "prefix"))
        return startsWith(value, prefix);
    if (const json_t* range = json_object_get(condition, "numeric")) return inRange(range, value);
    if (const json_t* but = json_object_get(condition, "anything-but"))
        return anythingBut(but, value);
    return false;
}

bool matchesCondition(const json_t* condition, const json_t* value) {
    if (const json_t* exists = json_object_get(condition, "exists"))
        return json_is_boolean(exists) && json_is_true(exists) == (value != nullptr);
    if (value == nullptr) return false;
    if (!json_is_array(value)) return matchesValue(condition, value);
    // An array in the body matches when one of its elements does.
    size_t i;
    const json_t* item;
    json_array_foreach(value, i, item) {
        if (matchesValue(condition, item)) return true;
    }
    return false;
}

}  // namespace

std::optional<std::string> validateFilterPolicy(const json_t* policy) {
    if (!json_is_object(policy)) return "filter_policy must be an object.";
    if (json_object_size(policy) > kMaxFilterKeys)
        return "filter_policy: at most " + std::to_string(kMaxFilterKeys) +
               " keys are allowed, got " + std::to_string(json_object_size(policy)) + ".";
    size_t combinations = 1;
    const char* key;
    const json_t* conditions;
    json_object_foreach(const_cast<json_t*>(policy), key, conditions) {
        std::string where = keyText(key);
        if (json_is_object(conditions))
            return where + "nested keys are not supported (top-level keys of the body only).";
        if (!json_is_array(conditions) || json_array_size(conditions) == 0)
            return where + "the value must be a non-empty list of conditions.";
        size_t i;
        const json_t* condition;
        json_array_foreach(conditions, i, condition) {
            if (auto problem = checkCondition(condition, where)) return problem;
        }
        combinations *= json_array_size(conditions);
        if (combinations > kMaxFilterCombinations)
            return "filter_policy: more than " + std::to_string(kMaxFilterCombinations) +
                   " combinations of conditions (the product of the list sizes).";
    }
    return std::nullopt;
}

bool matchesFilterPolicy(const json_t* policy, const json_t* body) {
    if (!json_is_object(policy)) return false;
    const char* key;
    const json_t* conditions;
    json_object_foreach(const_cast<json_t*>(policy), key, conditions) {
        const json_t* value = json_is_object(body) ? json_object_get(body, key) : nullptr;
        bool any = false;
        size_t i;
        const json_t* condition;
        json_array_foreach(conditions, i, condition) {
            if (matchesCondition(condition, value)) {
                any = true;
                break;
            }
        }
        if (!any) return false;
    }
    return true;
}

}  // namespace zaqard::notifiers
