#include "src/api/python_compat.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "src/common/python_repr.h"

namespace zaqard::api::py {

namespace {

bool isSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r') || c == '\x1c' || c == '\x1d' || c == '\x1e' ||
           c == '\x1f';
}

}  // namespace

std::optional<int64_t> parseInt(std::string_view text) {
    while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
    while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
    bool negative = false;
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    if (text.empty()) return std::nullopt;
    // Magnitude accumulated as unsigned so that INT64_MIN parses; larger values saturate.
    constexpr uint64_t kCap = uint64_t{1} << 63;
    uint64_t magnitude = 0;
    bool lastWasDigit = false;
    for (char c : text) {
        if (c == '_') {
            if (!lastWasDigit) return std::nullopt;
            lastWasDigit = false;
            continue;
        }
        if (c < '0' || c > '9') return std::nullopt;
        lastWasDigit = true;
        if (magnitude <= kCap) magnitude = magnitude * 10 + static_cast<uint64_t>(c - '0');
        if (magnitude > kCap) magnitude = kCap + 1;
    }
    if (!lastWasDigit) return std::nullopt;
    if (negative) {
        if (magnitude >= kCap) return std::numeric_limits<int64_t>::min();
        return -static_cast<int64_t>(magnitude);
    }
    if (magnitude >= kCap) return std::numeric_limits<int64_t>::max();
    return static_cast<int64_t>(magnitude);
}

bool truthy(const json_t* value) {
    if (value == nullptr) return false;
    switch (json_typeof(value)) {
        case JSON_NULL:
        case JSON_FALSE:
            return false;
        case JSON_TRUE:
            return true;
        case JSON_INTEGER:
            return json_integer_value(value) != 0;
        case JSON_REAL:
            return json_real_value(value) != 0.0;
        case JSON_STRING:
            return json_string_length(value) != 0;
        case JSON_ARRAY:
            return json_array_size(value) != 0;
        case JSON_OBJECT:
            return json_object_size(value) != 0;
    }
    return false;
}

bool isIntLike(const json_t* value) {
    return value != nullptr && (json_is_integer(value) || json_is_boolean(value));
}

std::string repr(std::string_view text) {
    return pythonRepr(text);
}

std::string reprList(const std::vector<std::string>& items) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        out += repr(items[i]);
    }
    return out + "]";
}

std::string reprSet(std::vector<std::string> items) {
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    if (items.empty()) return "set()";
    std::string out = "{";
    for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        out += repr(items[i]);
    }
    return out + "}";
}

}  // namespace zaqard::api::py
