// Runs the embedded Lua scripts as Redis 7 functions: every script of storage/redis/scripts
// is one function of a single library (`zaqard_<hash>`, _lib.lua at its top), loaded with
// FUNCTION LOAD REPLACE in every connection's handshake and called with FCALL. When Redis
// answers "Function not found" (restarted without persistence, FUNCTION FLUSH, a replica
// promoted before it saw the library) the library is reloaded and the call retried once.
// The hash in the names lets two zaqard versions share one Redis during an upgrade.
//
// Write concern ([zaqard] redis_wait_replicas): a script that changes what a client was
// told (post, claim, delete, ...) is pipelined with WAIT <replicas> <timeout ms> on the same
// connection (one round trip); it answers only once WAIT confirmed enough replicas, and
// Unavailable (503) otherwise, never a success Redis might lose in a failover. The client
// sends such a pipeline over a write connection of its own (WAIT's extraTime marks it;
// node_client.h rule 5), so reads never queue behind a WAIT.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/redis/client/coalescing_client.h"
#include "storage/redis/client/redis_client.h"
#include "storage/redis/embedded_scripts.h"
#include "storage/storage.h"

namespace zaqard::storage::redis {

struct Script {
    std::string name;          // file name without .lua
    std::string function;      // its function name in the library: zaqard_<hash>_<name>
    bool write = false;        // acknowledged to a client as a change: waits for replicas
    bool coalescible = false;  // concurrent calls on one queue may share one batch call
};

// How many replicas must have a write before it is acknowledged (0: no WAIT).
struct WriteConcern {
    int replicas = 0;
    std::chrono::milliseconds timeout{1000};

    // WAIT as the last command of a write's pipeline.
    Command waitCommand() const;
    // Error{Unavailable} unless `reply` (to waitCommand()) counts enough replicas.
    std::optional<Error> check(const RedisValue& reply) const;
};

struct ScriptLibrary {
    std::string name;    // zaqard_<first 12 hex digits of the SHA-1 of the scripts>
    std::string source;  // as sent with FUNCTION LOAD
    std::vector<Script> scripts;
    // <name>_batch (scripts/_batch.lua): runs several calls of one script with the same
    // keys in one FCALL, one reply (or error) per call. Empty without _batch.lua.
    std::string batchFunction;
};

// Composed once from the embedded table.
const ScriptLibrary& scriptLibrary();
// The composition itself, for any script table (tests compose small libraries of their own):
// `_lib` at the top, every script not starting with '_' a function, `_batch` last.
ScriptLibrary composeLibrary(const std::vector<EmbeddedScript>& embedded,
                             const std::function<bool(std::string_view)>& coalescible);
const std::vector<Script>& loadedScripts();

class ScriptRunner {
  public:
    ScriptRunner(RedisClient& client, WriteConcern concern);

    // FUNCTION LOAD REPLACE of the library, for the connection handshake.
    static std::vector<Command> loadCommands();
    // For CoalescingClient: the batch call of a coalescible script's function.
    static std::optional<BatchTarget> batchTarget(std::string_view function);

    // Answers the script's reply; error replies become Error{Unavailable} (and are logged):
    // scripts only fail on bugs or a sick Redis. The FCALL addresses its first key.
    void run(std::string_view name, std::vector<std::string> keys, std::vector<std::string> args,
             Callback<RedisValue> done);

    const WriteConcern& writeConcern() const { return concern_; }

  private:
    void call(const Script* script, std::shared_ptr<Command> fcall, bool reload,
              Callback<RedisValue> done);

    RedisClient& client_;
    WriteConcern concern_;
};

}  // namespace zaqard::storage::redis
