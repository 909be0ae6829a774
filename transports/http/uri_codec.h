// Percent-decoding of request paths and query strings the way Zaqar's stack sees them:
// WSGI decodes PATH_INFO (no '+' translation), falcon parses the query string.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zaqard::http {

// %XX sequences become bytes; malformed escapes stay as they are. With `plusAsSpace`
// ('+' -> ' ') for query strings.
std::string percentDecode(std::string_view text, bool plusAsSpace);

// Query string -> (name, value) pairs in order, both decoded. Fields without a value
// ("flag", "marker=") are dropped as falcon does with keep_blank_qs_values = False.
std::vector<std::pair<std::string, std::string>> parseQueryString(std::string_view query);

}  // namespace zaqard::http
