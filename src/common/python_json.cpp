#include "src/common/python_json.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace zaqard {

namespace {

void appendUnicodeEscape(std::string& out, unsigned unit) {
    static const char* kHex = "0123456789abcdef";
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(unit >> shift) & 0xf];
}

// Python escapes everything outside printable ASCII (' '..'~'), DEL included.
void appendString(std::string& out, std::string_view text) {
    out += '"';
    size_t i = 0;
    while (i < text.size()) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            switch (c) {
                case '"':
                    out += "\\\"";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                case '\b':
                    out += "\\b";
                    break;
                case '\f':
                    out += "\\f";
                    break;
                default:
                    if (c < 0x20 || c == 0x7f) {
                        appendUnicodeEscape(out, c);
                    } else {
                        out += static_cast<char>(c);
                    }
            }
            ++i;
            continue;
        }
        // jansson only stores valid UTF-8, so the sequence length follows from the lead byte.
        size_t length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        unsigned cp = c & (length == 4 ? 0x07u : length == 3 ? 0x0fu : 0x1fu);
        for (size_t k = 1; k < length && i + k < text.size(); ++k) {
            cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3fu);
        }
        i += length;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            appendUnicodeEscape(out, 0xd800 + (cp >> 10));
            appendUnicodeEscape(out, 0xdc00 + (cp & 0x3ff));
        } else {
            appendUnicodeEscape(out, cp);
        }
    }
    out += '"';
}

// float.__repr__: the shortest digits that round-trip, positional when the decimal
// exponent is in [-4, 16), else scientific with a signed, at least two-digit exponent.
void appendReal(std::string& out, double value) {
    if (std::isnan(value)) {
        out += "NaN";
        return;
    }
    if (std::isinf(value)) {
        out += value > 0 ? "Infinity" : "-Infinity";
        return;
    }
    char buffer[64];
    auto [end, ec] =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    (void)ec;
    std::string_view sci(buffer, static_cast<size_t>(end - buffer));
    bool negative = !sci.empty() && sci[0] == '-';
    if (negative) sci.remove_prefix(1);
    size_t e = sci.find('e');
    std::string digits;
    for (char ch : sci.substr(0, e)) {
        if (ch != '.') digits += ch;
    }
    int exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();

    if (negative) out += '-';
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) {
            out += "0.";
            out.append(static_cast<size_t>(-exponent - 1), '0');
            out += digits;
        } else if (static_cast<size_t>(exponent) + 1 >= digits.size()) {
            out += digits;
            out.append(static_cast<size_t>(exponent) + 1 - digits.size(), '0');
            out += ".0";
        } else {
            out += digits.substr(0, static_cast<size_t>(exponent) + 1);
            out += '.';
            out += digits.substr(static_cast<size_t>(exponent) + 1);
        }
        return;
    }
    out += digits[0];
    if (digits.size() > 1) {
        out += '.';
        out += digits.substr(1);
    }
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp;
}

void appendValue(std::string& out, const json_t* value) {
    switch (json_typeof(value)) {
        case JSON_OBJECT: {
            out += '{';
            bool first = true;
            const char* key;
            json_t* member;
            // jansson iterates objects in insertion order, as Python dicts do.
            json_object_foreach(const_cast<json_t*>(value), key, member) {
                if (!first) out += ", ";
                first = false;
                appendString(out, key);
                out += ": ";
                appendValue(out, member);
            }
            out += '}';
            break;
        }
        case JSON_ARRAY: {
            out += '[';
            for (size_t i = 0; i < json_array_size(value); ++i) {
                if (i) out += ", ";
                appendValue(out, json_array_get(value, i));
            }
            out += ']';
            break;
        }
        case JSON_STRING:
            appendString(out,
                         std::string_view(json_string_value(value), json_string_length(value)));
            break;
        case JSON_INTEGER:
            out += std::to_string(json_integer_value(value));
            break;
        case JSON_REAL:
            appendReal(out, json_real_value(value));
            break;
        case JSON_TRUE:
            out += "true";
            break;
        case JSON_FALSE:
            out += "false";
            break;
        case JSON_NULL:
            out += "null";
            break;
    }
}

}  // namespace

std::string pythonJsonDumps(const json_t* value) {
    std::string out;
    if (value == nullptr) return "null";
    appendValue(out, value);
    return out;
}

}  // namespace zaqard
