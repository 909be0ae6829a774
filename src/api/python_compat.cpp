#include "src/api/python_compat.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "src/common/python_json.h"
#include "src/common/python_repr.h"

namespace zaqard::api::py {

namespace {

bool isSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r') || c == '\x1c' || c == '\x1d' || c == '\x1e' ||
           c == '\x1f';
}

// Whether Python's str.isprintable() is false for a code point above U+00FF (repr() then
// writes \uXXXX or \UXXXXXXXX): separators, format characters, private use and the
// noncharacters, and the large unassigned blocks of Python 3.11's Unicode 14 database
// (small unassigned gaps count as printable).
bool nonPrintableAboveLatin1(uint32_t cp) {
    struct Range {
        uint32_t first, last;
    };
    static constexpr Range kRanges[] = {
        {0x0600, 0x0605},   {0x061c, 0x061c},   {0x06dd, 0x06dd},   {0x070f, 0x070f},
        {0x0890, 0x0891},   {0x08e2, 0x08e2},   {0x1680, 0x1680},   {0x180e, 0x180e},
        {0x2000, 0x200f},   {0x2028, 0x202f},   {0x205f, 0x2064},   {0x2066, 0x206f},
        {0x3000, 0x3000},   {0xe000, 0xf8ff},   {0xfdd0, 0xfdef},   {0xfeff, 0xfeff},
        {0xfff9, 0xfffb},   {0x110bd, 0x110bd}, {0x110cd, 0x110cd}, {0x13430, 0x13438},
        {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a}, {0x3134b, 0xe00ff}, {0xe01f0, 0x10ffff},
    };
    if ((cp & 0xfffe) == 0xfffe) return true;  // U+xFFFE, U+xFFFF in every plane
    for (const Range& range : kRanges)
        if (cp >= range.first && cp <= range.last) return true;
    return false;
}

// len(repr(text)) for UTF-8 text (jansson only holds valid UTF-8).
size_t reprLength(std::string_view text) {
    bool hasSingle = text.find('\'') != std::string_view::npos;
    bool hasDouble = text.find('"') != std::string_view::npos;
    char quote = hasSingle && !hasDouble ? '"' : '\'';
    size_t length = 2;
    size_t i = 0;
    while (i < text.size()) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            ++i;
            if (c == '\\' || c == static_cast<unsigned char>(quote) || c == '\n' || c == '\r' ||
                c == '\t')
                length += 2;
            else if (c < 0x20 || c == 0x7f)
                length += 4;  // \xNN
            else
                length += 1;
            continue;
        }
        size_t bytes = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        uint32_t cp = c & (bytes == 4 ? 0x07u : bytes == 3 ? 0x0fu : 0x1fu);
        for (size_t k = 1; k < bytes && i + k < text.size(); ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3fu);
        i += bytes;
        if (cp <= 0xa0 || cp == 0xad)
            length += 4;  // C1 controls, no-break space, soft hyphen: \xNN
        else if (cp > 0xff && nonPrintableAboveLatin1(cp))
            length += cp > 0xffff ? 10 : 6;
        else
            length += 1;
    }
    return length;
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

size_t strLength(const json_t* value) {
    switch (json_typeof(value)) {
        case JSON_OBJECT: {
            size_t length = 2, count = 0;
            const char* key;
            json_t* item;
            json_object_foreach(const_cast<json_t*>(value), key, item) {
                if (count++) length += 2;                         // ", "
                length += reprLength(key) + 2 + strLength(item);  // "key: value"
            }
            return length;
        }
        case JSON_ARRAY: {
            size_t length = 2;
            size_t index;
            json_t* item;
            json_array_foreach(value, index, item) {
                if (index) length += 2;
                length += strLength(item);
            }
            return length;
        }
        case JSON_STRING:
            return reprLength({json_string_value(value), json_string_length(value)});
        case JSON_INTEGER:
            return std::to_string(json_integer_value(value)).size();
        case JSON_REAL:
            return pythonJsonDumps(value).size();  // float.__repr__, as json.dumps writes it
        case JSON_TRUE:
        case JSON_NULL:
            return 4;  // True, None
        case JSON_FALSE:
            return 5;
    }
    return 0;
}

}  // namespace zaqard::api::py
