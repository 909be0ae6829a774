#include "src/common/uuid.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
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

// RFC 4122 version 4 (random) and variant bits over random bytes.
std::string formatVersion4(std::array<uint8_t, 16> bytes) {
    bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);
    bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);
    return format(bytes);
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
    // One RAND_bytes call per 256 ids instead of per id: each call pays OpenSSL's provider
    // lookup, which was ~9 % of a single post's CPU. Ids must be unique and unguessable,
    // not more: bytes from the CSPRNG are as good buffered as fresh. Per thread, so shards
    // share nothing (zaqard never forks, so no two processes hold the same buffer).
    constexpr size_t kBufferSize = 4096;
    thread_local std::array<uint8_t, kBufferSize> pool{};
    thread_local size_t used = kBufferSize;
    if (used + 16 > kBufferSize) {
        if (RAND_bytes(pool.data(), static_cast<int>(pool.size())) != 1) {
            // Never reuse old bytes: fall back to one id's worth, as before buffering.
            std::array<uint8_t, 16> bytes{};
            RAND_bytes(bytes.data(), static_cast<int>(bytes.size()));
            return formatVersion4(bytes);
        }
        used = 0;
    }
    std::array<uint8_t, 16> bytes{};
    std::copy_n(pool.begin() + static_cast<std::ptrdiff_t>(used), bytes.size(), bytes.begin());
    // Consumed bytes are wiped so they never leave the buffer twice.
    std::fill_n(pool.begin() + static_cast<std::ptrdiff_t>(used), bytes.size(), uint8_t{0});
    used += bytes.size();
    return formatVersion4(bytes);
}

}  // namespace zaqard
