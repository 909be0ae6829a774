// Python's json.dumps() with its default arguments, which is how Zaqar encodes every
// notification: ASCII-only output (\uXXXX, lower-case hex, surrogate pairs), ", " and
// ": " separators, floats in repr() form (shortest round trip, "1.0", "1e+16").
// jansson cannot produce this (upper-case escapes, %.17g floats, compact separators).
#pragma once

#include <jansson.h>

#include <string>

namespace zaqard {

std::string pythonJsonDumps(const json_t* value);

}  // namespace zaqard
