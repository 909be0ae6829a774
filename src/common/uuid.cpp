#include "src/common/uuid.h"

#include <openssl/rand.h>

#include <array>
#include <cctype>
#include <cstdint>

namespace zaqard {

namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string format(const std::array<uint8_t, 16>& bytes) {
    std::string out;
    out.reserve(36);
    for (size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(kHex[bytes[i] >> 4]);
        out.push_back(kHex[bytes[i] & 0xf]);
    }
    return out;
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

}  // namespace

std::optional<std::string> normalizeUuid(std::string_view text) {
    // Mirrors uuid.UUID(hex=...): strip "urn:", "uuid:", braces and hyphens, then 32 hex digits.
    std::string_view s = text;
    auto stripPrefix = [&s](std::string_view prefix) {
        if (s.size() >= prefix.size()) {
            bool same = true;
            for (size_t i = 0; i < prefix.size(); ++i)
                if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) same = false;
            if (same) s.remove_prefix(prefix.size());
        }
    };
    stripPrefix("urn:");
    stripPrefix("uuid:");
    // uuid.UUID strips all braces only at the ends (hex.strip('{}')).
    while (!s.empty() && (s.front() == '{' || s.front() == '}')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == '{' || s.back() == '}')) s.remove_suffix(1);
    std::array<uint8_t, 16> bytes{};
    size_t digits = 0;
    for (char c : s) {
        if (c == '-') continue;
        int v = hexValue(c);
        if (v < 0 || digits >= 32) return std::nullopt;
        bytes[digits / 2] = static_cast<uint8_t>(bytes[digits / 2] | (digits % 2 ? v : v << 4));
        ++digits;
    }
    if (digits != 32) return std::nullopt;
    return format(bytes);
}

std::string randomUuid() {
    std::array<uint8_t, 16> bytes{};
    RAND_bytes(bytes.data(), static_cast<int>(bytes.size()));
    bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);
    bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);
    return format(bytes);
}

}  // namespace zaqard
