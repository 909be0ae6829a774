// Python's repr() of a str, which Zaqar's error texts embed (e.g. iso8601's "Unable to
// parse date string 'x'"). In common because both the api layer and the time helpers
// quote values this way; api/python_compat.h keeps the rest of Python's semantics.
#pragma once

#include <string>
#include <string_view>

namespace zaqard {

// repr(str): single quotes unless the text holds a single quote and no double quote;
// backslash escapes for control characters; UTF-8 passes through as Python 3 prints it.
std::string pythonRepr(std::string_view text);

}  // namespace zaqard
