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
        for (int i = 0; i < 3; ++i) startNode();
        std::vector<std::string> args{"/usr/bin/redis-cli", "--cluster", "create"};
        for (auto& node : nodes_) args.push_back("127.0.0.1:" + std::to_string(node->port()));
        args.insert(args.end(), {"--cluster-replicas", "0", "--cluster-yes"});
        pid_t pid = spawnQuiet(std::move(args));
        int rc = pid > 0 ? 0 : -1;
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
    // For stop() and start() (same port, same nodes.conf: the node keeps its id and slots).
    RedisServer& node(size_t i) { return *nodes_[i]; }
    std::string nodeId(size_t i) const {
        auto id = nodes_[i]->command({"CLUSTER", "MYID"});
        return id && id->type == REDIS_REPLY_STRING ? std::string(id->str, id->len) : "";
    }

    // A new master without slots, met by every node (bounded wait); its index.
    size_t addNode() {
        startNode();
        size_t added = nodes_.size() - 1;
        nodes_[0]->command({"CLUSTER", "MEET", "127.0.0.1", std::to_string(nodes_[added]->port()),
                            std::to_string(busPorts_[added])});
        auto known = [this] {
            for (auto& node : nodes_) {
                auto reply = node->command({"CLUSTER", "NODES"});
                if (!reply || reply->type != REDIS_REPLY_STRING) return false;
                std::string text(reply->str, reply->len);
                size_t lines = 0;
                for (size_t at = 0; (at = text.find('\n', at)) != std::string::npos; ++at) ++lines;
                if (lines != nodes_.size() || text.find("handshake") != std::string::npos ||
                    text.find("noaddr") != std::string::npos)
                    return false;
            }
            return true;
        };
        // ... and sees the whole slot map (it answers CLUSTERDOWN before).
        for (int i = 0; i < 500 && !(known() && allOk()); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (!known() || !allOk()) ADD_FAILURE() << "the new node did not join";
        return added;
    }

    // A slot migration by hand, as redis-cli --cluster reshard does it:
    // IMPORTING on the target, MIGRATING on the source, MIGRATE key by key, then
    // SETSLOT NODE everywhere (the target first).
    bool beginMigration(int slot, size_t from, size_t to) {
        return ok(nodes_[to]->command(
                   {"CLUSTER", "SETSLOT", std::to_string(slot), "IMPORTING", nodeId(from)})) &&
               ok(nodes_[from]->command(
                   {"CLUSTER", "SETSLOT", std::to_string(slot), "MIGRATING", nodeId(to)}));
    }
    bool migrateKey(size_t from, size_t to, const std::string& key) {
        auto reply = nodes_[from]->command(
            {"MIGRATE", "127.0.0.1", std::to_string(nodes_[to]->port()), key, "0", "5000"});
        return ok(reply);  // OK, or NOKEY (a status too)
    }
    bool endMigration(int slot, size_t to) {
        std::string id = nodeId(to);
        if (!ok(nodes_[to]->command({"CLUSTER", "SETSLOT", std::to_string(slot), "NODE", id})))
            return false;
        for (size_t i = 0; i < nodes_.size(); ++i) {
            if (i == to) continue;
            if (!ok(nodes_[i]->command({"CLUSTER", "SETSLOT", std::to_string(slot), "NODE", id})))
                return false;
        }
        owner_[slot] = nodes_[to]->port();
        return true;
    }
    // The whole slot, its keys included, to node `to`.
    bool moveSlot(int slot, size_t to) {
        size_t from = 0;
        while (from < nodes_.size() && nodes_[from]->port() != ownerOf(slot)) ++from;
        if (from == nodes_.size()) {
            ADD_FAILURE() << "no owner known for slot " << slot;
            return false;
        }
        if (!beginMigration(slot, from, to)) return false;
        auto keys =
            nodes_[from]->command({"CLUSTER", "GETKEYSINSLOT", std::to_string(slot), "1000"});
        for (size_t i = 0; keys && i < keys->elements; ++i)
            if (!migrateKey(from, to, std::string(keys->element[i]->str, keys->element[i]->len)))
                return false;
        return endMigration(slot, to);
    }
    // GET behind ASKING on one connection: reads a key of a slot node `i` is importing.
    std::string askingGet(size_t i, const std::string& key) const {
        auto c = nodes_[i]->connect();
        if (!c) return "<no connection>";
        syncCommand(c.get(), {"ASKING"});
        auto reply = syncCommand(c.get(), {"GET", key});
        if (!reply) return "<no reply>";
        return reply->str ? std::string(reply->str, reply->len) : "<nil>";
    }
    // "127.0.0.1:P1,127.0.0.1:P2,...": the seeds of a cluster URI.
    std::string seeds() const {
        std::string text;
        for (auto& node : nodes_)
            text += (text.empty() ? "" : ",") + ("127.0.0.1:" + std::to_string(node->port()));
        return text;
    }
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
    static bool ok(const SyncReply& reply) {
        if (reply && reply->type == REDIS_REPLY_STATUS) return true;
        ADD_FAILURE() << "cluster set-up: "
                      << (reply && reply->str ? std::string(reply->str, reply->len) : "no reply");
        return false;
    }
    void startNode() {
        busPorts_.push_back(freePort());
        nodes_.push_back(std::make_unique<RedisServer>(std::vector<std::string>{
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-port",
            std::to_string(busPorts_.back()), "--cluster-node-timeout", "2000"}));
    }
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
    std::vector<int> busPorts_;
    std::map<int, int> owner_;
};

}  // namespace zaqard::testing
