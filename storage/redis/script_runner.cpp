// EVALSHA with NOSCRIPT recovery; script sources composed from the embedded table.
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

// Splits "first line\nrest".
std::pair<std::string, std::string> splitFirstLine(const std::string& text) {
    auto newline = text.find('\n');
    if (newline == std::string::npos) return {text, ""};
    return {text.substr(0, newline), text.substr(newline + 1)};
}

std::vector<Script> compose() {
    std::string lib;
    for (const auto& embedded : embeddedScripts())
        if (std::string_view(embedded.name) == "_lib") lib = splitFirstLine(embedded.source).second;
    std::vector<Script> scripts;
    for (const auto& embedded : embeddedScripts()) {
        if (embedded.name[0] == '_') continue;
        auto [shebang, body] = splitFirstLine(embedded.source);
        Script script;
        script.name = embedded.name;
        // The shebang must stay the first line: it makes Redis 7 enforce declared-key
        // slots in cluster mode.
        script.source = shebang + "\n" + lib + "\n" + body;
        script.sha = sha1Hex(script.source);
        scripts.push_back(std::move(script));
    }
    return scripts;
}

const Script* findScript(std::string_view name) {
    for (const auto& script : loadedScripts())
        if (script.name == name) return &script;
    return nullptr;
}

}  // namespace

const std::vector<Script>& loadedScripts() {
    static const std::vector<Script> scripts = compose();
    return scripts;
}

ScriptRunner::ScriptRunner(RedisConnection& connection) : connection_(connection) {}

std::vector<Command> ScriptRunner::loadCommands() {
    std::vector<Command> commands;
    for (const auto& script : loadedScripts())
        commands.push_back({"SCRIPT", "LOAD", script.source});
    return commands;
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
    command->push_back("EVALSHA");
    command->push_back(script->sha);
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
    connection_.command(*command, [this, script, command, finish](Result<RedisValue> reply) {
        if (reply.ok() && reply.value().isError() && reply.value().str.rfind("NOSCRIPT", 0) == 0) {
            // Pipelined: the reload and the retry leave together, in order.
            connection_.command({"SCRIPT", "LOAD", script->source}, [](Result<RedisValue>) {});
            connection_.command(*command, finish);
            return;
        }
        finish(std::move(reply));
    });
}

}  // namespace zaqard::storage::redis
