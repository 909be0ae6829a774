#include "src/config/config_values.h"

#include <strings.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace zaqard::config {

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
    return text;
}

std::string unquote(std::string_view text) {
    text = trim(text);
    if (text.size() >= 2 && text.front() == text.back() &&
        (text.front() == '"' || text.front() == '\'')) {
        text = text.substr(1, text.size() - 2);
    }
    return std::string(text);
}

std::optional<bool> parseBool(std::string_view text) {
    std::string word(trim(text));
    for (const char* yes : {"true", "yes", "1", "on"})
        if (strcasecmp(word.c_str(), yes) == 0) return true;
    for (const char* no : {"false", "no", "0", "off"})
        if (strcasecmp(word.c_str(), no) == 0) return false;
    return std::nullopt;
}

std::optional<int64_t> parseInt(std::string_view text) {
    std::string digits(trim(text));
    if (digits.empty()) return std::nullopt;
    size_t start = (digits[0] == '+' || digits[0] == '-') ? 1 : 0;
    if (start == digits.size()) return std::nullopt;
    for (size_t i = start; i < digits.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(digits[i]))) return std::nullopt;
    errno = 0;
    long long value = std::strtoll(digits.c_str(), nullptr, 10);
    if (errno == ERANGE) return std::nullopt;
    return static_cast<int64_t>(value);
}

std::optional<double> parseFloat(std::string_view text) {
    std::string number(trim(text));
    if (number.empty()) return std::nullopt;
    // strtod also reads hex floats and inf/nan, which Python's float() refuses or we do.
    for (char c : number) {
        if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '+' &&
            c != 'e' && c != 'E')
            return std::nullopt;
    }
    char* end = nullptr;
    errno = 0;
    double value = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size() || errno == ERANGE || !std::isfinite(value))
        return std::nullopt;
    return value;
}

std::vector<std::string> parseList(std::string_view text) {
    std::vector<std::string> items;
    while (true) {
        size_t comma = text.find(',');
        std::string item = unquote(text.substr(0, comma));
        if (!item.empty()) items.push_back(std::move(item));
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return items;
}

std::optional<std::map<std::string, std::string>> parseDict(std::string_view text) {
    std::map<std::string, std::string> dict;
    for (const std::string& pair : parseList(text)) {
        size_t colon = pair.find(':');
        if (colon == std::string::npos) return std::nullopt;
        dict[std::string(trim(std::string_view(pair).substr(0, colon)))] =
            unquote(std::string_view(pair).substr(colon + 1));
    }
    return dict;
}

}  // namespace zaqard::config
