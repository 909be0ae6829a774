// Python's json.dumps(value) with default arguments (ASCII-escaped, ", " and ": "
// separators, float repr), needed to reproduce Zaqar's message checksums byte for byte.
#pragma once

#include <jansson.h>

#include <string>

namespace zaqard::api::py {

std::string jsonDumps(const json_t* value);

// "MD5:" + md5hex(json.dumps(body)), Zaqar's message checksum.
std::string messageChecksum(const json_t* body);

}  // namespace zaqard::api::py
