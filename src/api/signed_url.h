// Pre-signed URLs (auth-and-config.md §3): Zaqar's HMAC-SHA256 signature over paths,
// methods, project and expiry, and the ISO-8601 expiry parsing of oslo's parse_isotime.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace zaqard::api {

// Lower-case hex HMAC-SHA256 of "<paths>\n<methods>\n<project>\n<expires>" where "\n" is
// the two characters backslash and 'n' (Zaqar formats a raw string). `paths` and
// `methods` are joined with commas in the order given (callers sort them).
std::string signUrl(const std::string& secretKey, const std::vector<std::string>& paths,
                    const std::vector<std::string>& methods, const std::string& project,
                    const std::string& expires);

struct ParsedTime {
    std::optional<double> unixSeconds;  // naive UTC, fractions kept
    std::string error;                  // Zaqar's ValueError text when unparsable
};

// iso8601.parse_date + timeutils.normalize_time: dates, optional time, fractions, `Z` or
// +hh:mm offsets; a missing zone means UTC.
ParsedTime parseIsoTime(const std::string& text);

// "%Y-%m-%dT%H:%M:%S" in UTC (fractions dropped).
std::string formatExpires(double unixSeconds);

}  // namespace zaqard::api
