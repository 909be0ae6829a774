// ISO-8601 times as Zaqar reads and writes them: oslo's parse_isotime for signed-URL
// expiries and Keystone token expiries, and the "%Y-%m-%dT%H:%M:%S" text it prints.
// In common because the api layer (signed URLs) and src/auth (tokens) both need it.
#pragma once

#include <optional>
#include <string>

namespace zaqard {

struct ParsedTime {
    std::optional<double> unixSeconds;  // naive UTC, fractions kept
    std::string error;                  // Zaqar's ValueError text when unparsable
};

// iso8601.parse_date + timeutils.normalize_time: dates, optional time, fractions, `Z` or
// +hh:mm offsets; a missing zone means UTC.
ParsedTime parseIsoTime(const std::string& text);

// "%Y-%m-%dT%H:%M:%S" in UTC (fractions dropped).
std::string formatIsoSeconds(double unixSeconds);

}  // namespace zaqard
