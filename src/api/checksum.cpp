#include "src/api/python_json.h"

#include <openssl/evp.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

namespace zaqard::api::py {

namespace {

void appendEscaped(std::string& out, const char* text, size_t size) {
    out += '"';
    size_t i = 0;
    auto u16 = [&out](unsigned value) {
        char buffer[16];
        std::snprintf(buffer, sizeof buffer, "\\u%04x", value);
        out += buffer;
    };
    while (i < size) {
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
                    if (c < 0x20)
                        u16(c);
                    else
                        out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        // jansson only hands out valid UTF-8: decode one code point.
        unsigned cp = 0;
        size_t length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        cp = c & (length == 4 ? 0x07 : length == 3 ? 0x0f : 0x1f);
        for (size_t k = 1; k < length && i + k < size; ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
        i += length;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            u16(0xd800 + (cp >> 10));
            u16(0xdc00 + (cp & 0x3ff));
        } else {
            u16(cp);
        }
    }
    out += '"';
}

// float.__repr__: shortest round-trip digits, fixed notation for 1e-4 <= |x| < 1e16.
void appendFloat(std::string& out, double value) {
    if (std::isnan(value)) {
        out += "NaN";
        return;
    }
    if (std::isinf(value)) {
        out += value < 0 ? "-Infinity" : "Infinity";
        return;
    }
    char buffer[64];
    auto result =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    std::string sci(buffer, result.ptr);
    // sci looks like "-1.2345e+03": split sign, digits and exponent.
    std::string sign;
    if (!sci.empty() && sci[0] == '-') {
        sign = "-";
        sci.erase(0, 1);
    }
    size_t e = sci.find('e');
    std::string mantissa = sci.substr(0, e);
    int exponent = std::atoi(sci.c_str() + e + 1);
    std::string digits;
    for (char c : mantissa)
        if (c != '.') digits += c;
    out += sign;
    if (exponent >= -5 + 1 && exponent < 16) {
        // Fixed notation.
        int point = exponent + 1;  // digits before the decimal point
        if (point <= 0) {
            out += "0.";
            out.append(static_cast<size_t>(-point), '0');
            out += digits;
        } else if (static_cast<size_t>(point) >= digits.size()) {
            out += digits;
            out.append(static_cast<size_t>(point) - digits.size(), '0');
            out += ".0";
        } else {
            out += digits.substr(0, static_cast<size_t>(point));
            out += '.';
            out += digits.substr(static_cast<size_t>(point));
        }
        return;
    }
    out += digits.substr(0, 1);
    if (digits.size() > 1) {
        out += '.';
        out += digits.substr(1);
    }
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp;
}

void dump(std::string& out, const json_t* value) {
    switch (json_typeof(value)) {
        case JSON_OBJECT: {
            out += '{';
            const char* key;
            json_t* member;
            bool first = true;
            json_object_foreach(const_cast<json_t*>(value), key, member) {
                if (!first) out += ", ";
                first = false;
                appendEscaped(out, key, std::strlen(key));
                out += ": ";
                dump(out, member);
            }
            out += '}';
            break;
        }
        case JSON_ARRAY: {
            out += '[';
            for (size_t i = 0; i < json_array_size(value); ++i) {
                if (i) out += ", ";
                dump(out, json_array_get(value, i));
            }
            out += ']';
            break;
        }
        case JSON_STRING:
            appendEscaped(out, json_string_value(value), json_string_length(value));
            break;
        case JSON_INTEGER:
            out += std::to_string(json_integer_value(value));
            break;
        case JSON_REAL:
            appendFloat(out, json_real_value(value));
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

struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

}  // namespace

std::string jsonDumps(const json_t* value) {
    std::string out;
    if (value == nullptr) return "null";
    dump(out, value);
    return out;
}

std::string messageChecksum(const json_t* body) {
    std::string text = jsonDumps(body);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
    EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr);
    EVP_DigestUpdate(ctx.get(), text.data(), text.size());
    EVP_DigestFinal_ex(ctx.get(), digest, &length);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "MD5:";
    for (unsigned int i = 0; i < length; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 0xf];
    }
    return out;
}

}  // namespace zaqard::api::py
