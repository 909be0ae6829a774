// Pre-signed URLs (auth-and-config.md §3): Zaqar's HMAC-SHA256 signature over paths,
// methods, project and expiry. Expiries are ISO-8601 texts, read and printed by
// src/common/iso_time.h (included here for every caller that signs or checks one).
#pragma once

#include <string>
#include <vector>

#include "src/common/iso_time.h"

namespace zaqard::api {

// Lower-case hex HMAC-SHA256 of "<paths>\n<methods>\n<project>\n<expires>" where "\n" is
// the two characters backslash and 'n' (Zaqar formats a raw string). `paths` and
// `methods` are joined with commas in the order given (callers sort them).
std::string signUrl(const std::string& secretKey, const std::vector<std::string>& paths,
                    const std::vector<std::string>& methods, const std::string& project,
                    const std::string& expires);

// The expiry text that is signed: formatIsoSeconds (seconds, UTC, no zone).
std::string formatExpires(double unixSeconds);

}  // namespace zaqard::api
