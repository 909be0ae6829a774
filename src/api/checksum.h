// Zaqar's message checksum, byte for byte (Python's json.dumps of the body, then MD5).
#pragma once

#include <jansson.h>

#include <string>

namespace zaqard::api::py {

// "MD5:" + md5hex(json.dumps(body)), Zaqar's message checksum.
std::string messageChecksum(const json_t* body);

}  // namespace zaqard::api::py
