// oslo.config's value syntax: booleans, integers, floats, lists and dicts as they are
// written in zaqar.conf. Pure functions, so the loader and its tests share them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zaqard::config {

// true/false, yes/no, 1/0, on/off in any case (oslo's types.Boolean).
std::optional<bool> parseBool(std::string_view text);
// A decimal integer with optional sign and surrounding blanks (Python's int()).
std::optional<int64_t> parseInt(std::string_view text);
// A finite decimal float (Python's float(), without inf/nan).
std::optional<double> parseFloat(std::string_view text);
// Comma-separated items, each trimmed; empty items are dropped.
std::vector<std::string> parseList(std::string_view text);
// key:value pairs separated by commas; nullopt when a pair has no ':'.
std::optional<std::map<std::string, std::string>> parseDict(std::string_view text);

// Trims blanks and one pair of matching surrounding quotes, as oslo's ini parser does.
std::string unquote(std::string_view text);
std::string_view trim(std::string_view text);

}  // namespace zaqard::config
