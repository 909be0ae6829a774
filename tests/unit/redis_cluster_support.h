// Test support for the cluster-safety tests: a MONITOR tap that records every command a
// redis-server executes (so a test sees exactly what the stores sent, scripts' inner
// commands included), the slot check of a recorded command, and a real Redis Cluster of
// three masters on loopback (redis-server --cluster-enabled yes x3, joined by
// redis-cli --cluster create) that replays recorded commands, each sent to the master
// owning its slot.
#pragma once

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <spawn.h>
#include <sys/wait.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "storage/redis/key_layout.h"
#include "test_redis_support.h"

namespace zaqard::testing {

struct RecordedCommand {
    bool inScript = false;  // run by a Lua script or function ("[0 lua]")
    std::vector<std::string> argv;
};

// Parses one MONITOR line: `<time> [<db> <client>|lua] "arg" "arg" ...`, the arguments
// quoted as Redis's sdscatrepr writes them (\\, \", \n, \r, \t, \a, \b, \xHH).
inline std::optional<RecordedCommand> parseMonitorLine(const std::string& line) {
    auto open = line.find('[');
    auto close = line.find(']', open);
    if (open == std::string::npos || close == std::string::npos) return std::nullopt;
    RecordedCommand command;
    command.inScript = line.substr(open, close - open).find("lua") != std::string::npos;
    size_t i = close + 1;
    auto hex = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    while (i < line.size()) {
        if (line[i] != '"') {
            ++i;
            continue;
        }
        std::string arg;
        for (++i; i < line.size() && line[i] != '"'; ++i) {
            if (line[i] != '\\' || i + 1 >= line.size()) {
                arg.push_back(line[i]);
                continue;
            }
            char c = line[++i];
            switch (c) {
                case 'n':
                    arg.push_back('\n');
                    break;
                case 'r':
                    arg.push_back('\r');
                    break;
                case 't':
                    arg.push_back('\t');
                    break;
                case 'a':
                    arg.push_back('\a');
                    break;
                case 'b':
                    arg.push_back('\b');
                    break;
                case 'x':
                    arg.push_back(static_cast<char>(hex(line[i + 1]) * 16 + hex(line[i + 2])));
                    i += 2;
                    break;
                default:
                    arg.push_back(c);
            }
        }
        ++i;  // the closing quote
        command.argv.push_back(std::move(arg));
    }
    if (command.argv.empty()) return std::nullopt;
    return command;
}

inline SyncReply syncCommand(redisContext* c, const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const auto& arg : args) {
        argv.push_back(arg.data());
        lengths.push_back(arg.size());
    }
    return SyncReply(static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data())));
}

// Records every command `server` executes from construction until collect().
class MonitorTap {
  public:
    explicit MonitorTap(const RedisServer& server) : server_(server), c_(server.connect()) {
        auto ok = syncCommand(c_.get(), {"MONITOR"});
        EXPECT_TRUE(ok && ok->type == REDIS_REPLY_STATUS);
        timeval tv{10, 0};
        redisSetTimeout(c_.get(), tv);
    }

    // Stops at a marker command sent now, so everything executed before it is in.
    std::vector<RecordedCommand> collect() {
        const std::string marker = "zaqard-monitor-end";
        server_.command({"ECHO", marker});
        std::vector<RecordedCommand> commands;
        for (int lines = 0; lines < 1000000; ++lines) {
            void* raw = nullptr;
            if (redisGetReply(c_.get(), &raw) != REDIS_OK || raw == nullptr) {
                ADD_FAILURE() << "MONITOR stream ended before the marker";
                break;
            }
            SyncReply reply(static_cast<redisReply*>(raw));
            std::string line(reply->str, reply->len);
            auto command = parseMonitorLine(line);
            if (!command) continue;
            if (command->argv.size() == 2 && command->argv[0] == "ECHO" &&
                command->argv[1] == marker)
                break;
            commands.push_back(std::move(*command));
        }
        return commands;
    }

  private:
    const RedisServer& server_;
    std::unique_ptr<redisContext, RedisContextDeleter> c_;
};

// The keys of a command as the server sees them (COMMAND GETKEYS); none for keyless ones.
inline std::vector<std::string> commandKeys(const RedisServer& server,
                                            const std::vector<std::string>& argv) {
    std::vector<std::string> args{"COMMAND", "GETKEYS"};
    args.insert(args.end(), argv.begin(), argv.end());
    auto reply = server.command(args);
    std::vector<std::string> keys;
    if (!reply || reply->type != REDIS_REPLY_ARRAY) return keys;
    for (size_t i = 0; i < reply->elements; ++i)
        keys.emplace_back(reply->element[i]->str, reply->element[i]->len);
    return keys;
}

// Redis Cluster of three masters on loopback ports.
class RedisCluster {
  public:
    RedisCluster() {
        for (int i = 0; i < 3; ++i)
            nodes_.push_back(std::make_unique<RedisServer>(std::vector<std::string>{
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-port",
                std::to_string(freePort())}));
        std::vector<std::string> args{"/usr/bin/redis-cli", "--cluster", "create"};
        for (auto& node : nodes_) args.push_back("127.0.0.1:" + std::to_string(node->port()));
        args.insert(args.end(), {"--cluster-replicas", "0", "--cluster-yes"});
        std::vector<char*> argv;
        for (auto& arg : args) argv.push_back(arg.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        pid_t pid = -1;
        int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        int status = -1;
        if (rc == 0) ::waitpid(pid, &status, 0);
        if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            ADD_FAILURE() << "redis-cli --cluster create failed";
            return;
        }
        // Every node must agree before commands are routed (bounded wait).
        for (int i = 0; i < 500 && !allOk(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (!allOk()) ADD_FAILURE() << "the cluster did not reach cluster_state:ok";
        auto slots = nodes_[0]->command({"CLUSTER", "SLOTS"});
        for (size_t i = 0; slots && i < slots->elements; ++i) {
            auto* range = slots->element[i];
            int port = static_cast<int>(range->element[2]->element[1]->integer);
            for (long long slot = range->element[0]->integer; slot <= range->element[1]->integer;
                 ++slot)
                owner_[static_cast<int>(slot)] = port;
        }
    }

    size_t size() const { return nodes_.size(); }
    const RedisServer& node(size_t i) const { return *nodes_[i]; }
    // The port of the master owning `slot` (0 when unknown).
    int ownerOf(int slot) const {
        auto it = owner_.find(slot);
        return it == owner_.end() ? 0 : it->second;
    }
    const RedisServer* nodeOfSlot(int slot) const {
        for (auto& node : nodes_)
            if (node->port() == ownerOf(slot)) return node.get();
        return nullptr;
    }

  private:
    bool allOk() const {
        for (auto& node : nodes_) {
            auto reply = node->command({"CLUSTER", "INFO"});
            if (!reply || reply->type != REDIS_REPLY_STRING ||
                std::string(reply->str, reply->len).find("cluster_state:ok") == std::string::npos)
                return false;
        }
        return true;
    }

    std::vector<std::unique_ptr<RedisServer>> nodes_;
    std::map<int, int> owner_;
};

}  // namespace zaqard::testing
