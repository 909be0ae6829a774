// UUIDs: Client-ID parsing as Python's uuid.UUID() accepts, and random ids.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace zaqard {

// Accepts every form uuid.UUID() does: hyphenated (any case), 32 hex digits, braces,
// "urn:uuid:" prefix. Returns the canonical lower-case hyphenated form.
std::optional<std::string> normalizeUuid(std::string_view text);

// A random (version 4) UUID in canonical form, from OpenSSL's CSPRNG.
std::string randomUuid();

}  // namespace zaqard
