// The Lua scripts of storage/redis/scripts, embedded at build time (cmake/embed_lua.cmake).
#pragma once

#include <string>
#include <vector>

namespace zaqard::storage::redis {

struct EmbeddedScript {
    const char* name;    // file name without .lua
    const char* source;  // the script text
};

const std::vector<EmbeddedScript>& embeddedScripts();

}  // namespace zaqard::storage::redis
