// FCALL with "Function not found" recovery; the function library composed from the
// embedded table.
#include "storage/redis/script_runner.h"

#include <openssl/evp.h>

#include <memory>

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

// Each script body becomes the callback of one function. Its parameters are named KEYS and
// ARGV, so the bodies read exactly as EVAL scripts do; begin_call (in _lib.lua) sets the
// per-call state first. No flags: like a "#!lua" script, every function may write (the
// readers' housekeeping does).
ScriptLibrary compose() {
    std::string lib;
    std::string all;
    for (const auto& embedded : embeddedScripts()) {
        all.append(embedded.name).append("\n").append(embedded.source).append("\n");
        if (std::string_view(embedded.name) == "_lib") lib = afterFirstLine(embedded.source);
    }
    ScriptLibrary library;
    library.name = "zaqard_" + sha1Hex(all).substr(0, 12);
    library.source = "#!lua name=" + library.name + "\n" + lib + "\n";
    for (const auto& embedded : embeddedScripts()) {
        if (embedded.name[0] == '_') continue;
        Script script{embedded.name, library.name + "_" + embedded.name};
        library.source += "redis.register_function('" + script.function +
                          "', function(KEYS, ARGV)\nbegin_call(KEYS)\n" +
                          afterFirstLine(embedded.source) + "\nend)\n";
        library.scripts.push_back(std::move(script));
    }
    return library;
}

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
    static const ScriptLibrary library = compose();
    return library;
}

const std::vector<Script>& loadedScripts() {
    return scriptLibrary().scripts;
}

ScriptRunner::ScriptRunner(RedisConnection& connection) : connection_(connection) {}

std::vector<Command> ScriptRunner::loadCommands() {
    return {{"FUNCTION", "LOAD", "REPLACE", scriptLibrary().source}};
}

void ScriptRunner::run(std::string_view name, std::vector<std::string> keys,
                       std::vector<std::string> args, Callback<RedisValue> done) {
    const Script* script = findScript(name);
    if (script == nullptr) {
        log::error("redis: unknown script " + std::string(name));
        connection_.command({"PING"}, [done](Result<RedisValue>) {
            done(Error{ErrorKind::Unavailable, "unknown script"});
        });
        return;
    }
    auto command = std::make_shared<Command>();
    command->reserve(3 + keys.size() + args.size());
    command->push_back("FCALL");
    command->push_back(script->function);
    command->push_back(std::to_string(keys.size()));
    for (auto& key : keys) command->push_back(std::move(key));
    for (auto& arg : args) command->push_back(std::move(arg));

    auto finish = [script, done](Result<RedisValue> reply) {
        if (!reply.ok()) return done(reply.error());
        if (reply.value().isError()) {
            log::error("redis: script " + script->name + " failed: " + reply.value().str);
            return done(Error{ErrorKind::Unavailable, "script error: " + reply.value().str});
        }
        done(std::move(reply.value()));
    };
    connection_.command(*command, [this, command, finish](Result<RedisValue> reply) {
        if (reply.ok() && isFunctionNotFound(reply.value())) {
            // Pipelined: the reload and the retry leave together, in order.
            connection_.command(loadCommands().front(), [](Result<RedisValue>) {});
            connection_.command(*command, finish);
            return;
        }
        finish(std::move(reply));
    });
}

}  // namespace zaqard::storage::redis
