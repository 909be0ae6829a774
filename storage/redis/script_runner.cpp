// FCALL with "Function not found" recovery; the function library composed from the
// embedded table.
#include "storage/redis/script_runner.h"

#include <openssl/evp.h>

#include <functional>
#include <memory>
#include <unordered_map>

#include "src/common/log.h"
#include "storage/redis/embedded_scripts.h"

namespace zaqard::storage::redis {

namespace {

std::string sha1Hex(const std::string& text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha1(), nullptr);
    std::string hex;
    static const char kHex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < length; ++i) {
        hex.push_back(kHex[digest[i] >> 4]);
        hex.push_back(kHex[digest[i] & 0xf]);
    }
    return hex;
}

// The text after the first line (the scripts' "#!lua" shebang).
std::string afterFirstLine(const std::string& text) {
    auto newline = text.find('\n');
    if (newline == std::string::npos) return "";
    return text.substr(newline + 1);
}

// Scripts whose change a client is told about (201/204 ...): with a write concern they
// answer only once WAIT confirmed the replicas. Readers' housekeeping, the sweeper's
// normalise and the notifier's own bookkeeping (notify_fetch, notify_settle: redone
// after a loss, deliveries are at least once) do not wait.
bool isAcknowledgedWrite(std::string_view name) {
    static const char* const kWrites[] = {"post",
                                          "pop",
                                          "remove",
                                          "remove_many",
                                          "claim_create",
                                          "claim_renew",
                                          "claim_release",
                                          "queue_create",
                                          "queue_set_metadata",
                                          "dead_letter_post",
                                          "redrive_take",
                                          "subscription_create",
                                          "subscription_write"};
    for (const char* write : kWrites)
        if (name == write) return true;
    return false;
}

// Scripts whose concurrent calls on one queue may run as one `batch` call
// (coalescing_client.h): the hot writes of producers and consumers. Each keeps its own
// reply and error inside the batch, so any script could be here; these are the ones that
// arrive many at a time on one queue.
bool isCoalescible(std::string_view name) {
    static const char* const kCoalescible[] = {"post", "claim_create", "remove", "remove_many",
                                               "pop"};
    for (const char* coalescible : kCoalescible)
        if (name == coalescible) return true;
    return false;
}

}  // namespace

// Each script body becomes the callback of one function. Its parameters are named KEYS and
// ARGV, so the bodies read exactly as EVAL scripts do; begin_call (in _lib.lua) sets the
// per-call state first. No flags: like a "#!lua" script, every function may write (the
// readers' housekeeping does). Each function is also kept in the local table CALLS, where
// _batch.lua (registered last, as <library>_batch) finds the script its calls name.
ScriptLibrary composeLibrary(const std::vector<EmbeddedScript>& embedded,
                             const std::function<bool(std::string_view)>& coalescible) {
    std::string lib;
    std::string batch;
    std::string all;
    for (const auto& script : embedded) {
        all.append(script.name).append("\n").append(script.source).append("\n");
        if (std::string_view(script.name) == "_lib") lib = afterFirstLine(script.source);
        if (std::string_view(script.name) == "_batch") batch = afterFirstLine(script.source);
    }
    ScriptLibrary library;
    library.name = "zaqard_" + sha1Hex(all).substr(0, 12);
    library.source = "#!lua name=" + library.name + "\n" + lib + "\nlocal CALLS = {}\n";
    for (const auto& script : embedded) {
        if (script.name[0] == '_') continue;
        Script entry{script.name, library.name + "_" + script.name,
                     isAcknowledgedWrite(script.name), !batch.empty() && coalescible(script.name)};
        std::string name(script.name);
        library.source += "CALLS['" + name + "'] = function(KEYS, ARGV)\nbegin_call(KEYS)\n" +
                          afterFirstLine(script.source) + "\nend\nredis.register_function('" +
                          entry.function + "', CALLS['" + name + "'])\n";
        library.scripts.push_back(std::move(entry));
    }
    if (!batch.empty()) {
        library.batchFunction = library.name + "_batch";
        library.source += "redis.register_function('" + library.batchFunction +
                          "', function(KEYS, ARGV)\n" + batch + "\nend)\n";
    }
    return library;
}

namespace {

const Script* findScript(std::string_view name) {
    for (const auto& script : loadedScripts())
        if (script.name == name) return &script;
    return nullptr;
}

bool isFunctionNotFound(const RedisValue& reply) {
    return reply.isError() && reply.str.find("Function not found") != std::string::npos;
}

}  // namespace

const ScriptLibrary& scriptLibrary() {
    static const ScriptLibrary library = composeLibrary(embeddedScripts(), isCoalescible);
    return library;
}

const std::vector<Script>& loadedScripts() {
    return scriptLibrary().scripts;
}

Command WriteConcern::waitCommand() const {
    Command wait =
        Command::keyless({"WAIT", std::to_string(replicas), std::to_string(timeout.count())});
    // WAIT blocks up to its timeout on purpose: that is not a dead connection.
    wait.extraTime = timeout;
    return wait;
}

std::optional<Error> WriteConcern::check(const RedisValue& reply) const {
    if (reply.isError()) return Error{ErrorKind::Unavailable, "redis: WAIT failed: " + reply.str};
    if (reply.asInt() >= replicas) return std::nullopt;
    return Error{ErrorKind::Unavailable, "redis: the write reached " +
                                             std::to_string(reply.asInt()) + " of " +
                                             std::to_string(replicas) + " replicas within " +
                                             std::to_string(timeout.count()) + " ms"};
}

ScriptRunner::ScriptRunner(RedisClient& client, WriteConcern concern)
    : client_(client), concern_(concern) {}

std::optional<BatchTarget> ScriptRunner::batchTarget(std::string_view function) {
    // Built once: a lookup per FCALL of the shard.
    static const auto targets = [] {
        std::unordered_map<std::string_view, BatchTarget> map;
        const ScriptLibrary& library = scriptLibrary();
        for (const auto& script : library.scripts)
            if (script.coalescible)
                map.emplace(script.function, BatchTarget{library.batchFunction, script.name});
        return map;
    }();
    auto found = targets.find(function);
    if (found == targets.end()) return std::nullopt;
    return found->second;
}

std::vector<Command> ScriptRunner::loadCommands() {
    return {Command::keyless({"FUNCTION", "LOAD", "REPLACE", scriptLibrary().source})};
}

void ScriptRunner::run(std::string_view name, std::vector<std::string> keys,
                       std::vector<std::string> args, Callback<RedisValue> done) {
    const Script* script = findScript(name);
    if (script == nullptr) {
        log::error("redis: unknown script " + std::string(name));
        client_.command({"PING"}, [done](Result<RedisValue>) {
            done(Error{ErrorKind::Unavailable, "unknown script"});
        });
        return;
    }
    std::vector<std::string> words;
    words.reserve(3 + keys.size() + args.size());
    words.push_back("FCALL");
    words.push_back(script->function);
    words.push_back(std::to_string(keys.size()));
    for (auto& key : keys) words.push_back(std::move(key));
    for (auto& arg : args) words.push_back(std::move(arg));
    // FCALL function numkeys key...: a cluster client routes it by its first key.
    int keyIndex = words.size() > 3 && words[2] != "0" ? 3 : -1;
    call(script, std::make_shared<Command>(std::move(words), keyIndex), false, std::move(done));
}

namespace {

void finish(const Script* script, RedisValue reply, const Callback<RedisValue>& done) {
    if (reply.isError()) {
        log::error("redis: script " + script->name + " failed: " + reply.str);
        return done(Error{ErrorKind::Unavailable, "script error: " + reply.str});
    }
    done(std::move(reply));
}

}  // namespace

// `reload`: "Function not found" came back: the library goes first, then one retry.
void ScriptRunner::call(const Script* script, std::shared_ptr<Command> fcall, bool reload,
                        Callback<RedisValue> done) {
    bool wait = script->write && concern_.replicas > 0;
    if (!wait && !reload) {
        client_.command(*fcall, [this, script, fcall, done](Result<RedisValue> reply) {
            if (!reply.ok()) return done(reply.error());
            if (isFunctionNotFound(reply.value())) return call(script, fcall, true, done);
            finish(script, std::move(reply.value()), done);
        });
        return;
    }
    // One pipeline on one connection: [FUNCTION LOAD] FCALL [WAIT]. WAIT right behind the
    // FCALL confirms exactly the writes made so far on this connection, this one included.
    std::vector<Command> commands;
    if (reload) commands.push_back(loadCommands().front());
    commands.push_back(*fcall);
    if (wait) commands.push_back(concern_.waitCommand());
    client_.pipeline(std::move(commands), [this, script, fcall, reload, wait,
                                           done](Result<std::vector<RedisValue>> replies) {
        if (!replies.ok()) return done(replies.error());
        auto& values = replies.value();
        size_t at = reload ? 1 : 0;
        if (!reload && isFunctionNotFound(values[at])) return call(script, fcall, true, done);
        if (values[at].isError()) return finish(script, std::move(values[at]), done);
        if (wait) {
            if (auto shortfall = concern_.check(values[at + 1])) return done(*shortfall);
        }
        done(std::move(values[at]));
    });
}

}  // namespace zaqard::storage::redis
