#include "src/common/iso_time.h"

#include <cmath>
#include <cstdint>
#include <ctime>
#include <regex>

#include "src/common/python_repr.h"

namespace zaqard {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool isLeap(int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int daysInMonth(int64_t y, int m) {
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && isLeap(y) ? 29 : kDays[m - 1];
}

}  // namespace

ParsedTime parseIsoTime(const std::string& text) {
    // The regex of the iso8601 package, without its named groups.
    static const std::regex kIso8601(
        "^([0-9]{4})(?:(?:-([0-9]{1,2})|([0-9]{2})(?!$))(?:(?:-([0-9]{1,2})|([0-9]{2}))"
        "(?:([ T])([0-9]{2})(?::?([0-9]{2}))?(?::?([0-9]{1,2})(?:[.,]([0-9]+))?)?"
        "(Z|([-+])([0-9]{2}):?([0-9]{2})?)?)?)?)?$");
    ParsedTime result;
    std::smatch m;
    if (!std::regex_match(text, m, kIso8601)) {
        result.error = "Unable to parse date string " + pythonRepr(text);
        return result;
    }
    auto number = [&m](int group, int fallback) {
        return m[group].matched ? std::stoi(m[group].str()) : fallback;
    };
    int year = number(1, 0);
    int month = m[2].matched ? number(2, 1) : number(3, 1);
    int day = m[4].matched ? number(4, 1) : number(5, 1);
    int hour = number(7, 0), minute = number(8, 0), second = number(9, 0);
    // datetime()'s own range errors, as Python words them.
    if (year < 1)
        result.error = "year " + std::to_string(year) + " is out of range";
    else if (month < 1 || month > 12)
        result.error = "month must be in 1..12";
    else if (day < 1 || day > daysInMonth(year, month))
        result.error = "day is out of range for month";
    else if (hour > 23)
        result.error = "hour must be in 0..23";
    else if (minute > 59)
        result.error = "minute must be in 0..59";
    else if (second > 59)
        result.error = "second must be in 0..59";
    if (!result.error.empty()) return result;
    // datetime keeps whole microseconds (the rest is truncated).
    std::string micros = m[10].matched ? m[10].str().substr(0, 6) : "";
    micros.resize(6, '0');
    double fraction = std::stoi(micros) / 1e6;
    int64_t offset = 0;
    if (m[12].matched) {
        int tzHour = number(13, 0), tzMinute = number(14, 0);
        offset = (tzHour * 3600 + tzMinute * 60) * (m[12].str() == "-" ? -1 : 1);
        if (tzHour * 60 + tzMinute >= 24 * 60) {
            result.error =
                "offset must be a timedelta strictly between -timedelta(hours=24) "
                "and timedelta(hours=24).";
            return result;
        }
    }
    int64_t seconds =
        daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
        hour * 3600 + minute * 60 + second - offset;
    result.unixSeconds = static_cast<double>(seconds) + fraction;
    return result;
}

std::string formatIsoSeconds(double unixSeconds) {
    auto seconds = static_cast<time_t>(std::floor(unixSeconds));
    struct tm utc {};
    gmtime_r(&seconds, &utc);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
    return buffer;
}

}  // namespace zaqard
