// Runs the embedded Lua scripts as Redis 7 functions: every script of storage/redis/scripts
// is one function of a single library (`zaqard_<hash>`, _lib.lua at its top), loaded with
// FUNCTION LOAD REPLACE in every connection's handshake and called with FCALL. When Redis
// answers "Function not found" (restarted without persistence, FUNCTION FLUSH, a replica
// promoted before it saw the library) the library is reloaded and the call retried once.
// The hash in the names lets two zaqard versions share one Redis during an upgrade.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/redis/redis_connection.h"
#include "storage/storage.h"

namespace zaqard::storage::redis {

struct Script {
    std::string name;      // file name without .lua
    std::string function;  // its function name in the library: zaqard_<hash>_<name>
};

struct ScriptLibrary {
    std::string name;    // zaqard_<first 12 hex digits of the SHA-1 of the scripts>
    std::string source;  // as sent with FUNCTION LOAD
    std::vector<Script> scripts;
};

// Composed once from the embedded table.
const ScriptLibrary& scriptLibrary();
const std::vector<Script>& loadedScripts();

class ScriptRunner {
  public:
    explicit ScriptRunner(RedisConnection& connection);

    // FUNCTION LOAD REPLACE of the library, for the connection handshake.
    static std::vector<Command> loadCommands();

    // Answers the script's reply; error replies become Error{Unavailable} (and are logged):
    // scripts only fail on bugs or a sick Redis.
    void run(std::string_view name, std::vector<std::string> keys, std::vector<std::string> args,
             Callback<RedisValue> done);

  private:
    RedisConnection& connection_;
};

}  // namespace zaqard::storage::redis
