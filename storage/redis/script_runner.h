// Runs the embedded Lua scripts with EVALSHA: loaded with SCRIPT LOAD in every
// connection's handshake, reloaded and retried once when Redis answers NOSCRIPT
// (e.g. after SCRIPT FLUSH or a failover to a replica that never saw them).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/redis/redis_connection.h"
#include "storage/storage.h"

namespace zaqard::storage::redis {

struct Script {
    std::string name;
    std::string source;  // as sent to Redis: shebang line, _lib.lua, then the script body
    std::string sha;     // SHA-1 hex of source, as Redis computes it
};

// The scripts of storage/redis/scripts with _lib.lua spliced in after each shebang.
const std::vector<Script>& loadedScripts();

class ScriptRunner {
  public:
    explicit ScriptRunner(RedisConnection& connection);

    // SCRIPT LOAD of every script, for the connection handshake.
    static std::vector<Command> loadCommands();

    // Answers the script's reply; error replies become Error{Unavailable} (and are logged):
    // scripts only fail on bugs or a sick Redis.
    void run(std::string_view name, std::vector<std::string> keys, std::vector<std::string> args,
             Callback<RedisValue> done);

  private:
    RedisConnection& connection_;
};

}  // namespace zaqard::storage::redis
