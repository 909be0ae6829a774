// Test support for the Redis driver tests: a real redis-server on a free loopback port,
// a dispatcher + RedisDriver, and a helper that runs the loop until a callback fires.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "src/common/clock.h"
#include "src/config/config.h"
#include "src/event/dispatcher.h"
#include "src/runtime/redis_options.h"
#include "storage/redis/redis_driver.h"

extern char** environ;

namespace zaqard::testing {

inline int freePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t length = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
    ::close(fd);
    return ntohs(addr.sin_port);
}

struct RedisContextDeleter {
    void operator()(redisContext* c) const { redisFree(c); }
};
struct RedisReplyDeleter {
    void operator()(redisReply* r) const { freeReplyObject(r); }
};
using SyncReply = std::unique_ptr<redisReply, RedisReplyDeleter>;

// A synchronous command on an open connection (for setup and inspection).
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

// Starts `args` (args[0] the program's path) with stdout to /dev/null: a Redis child's
// banner and warnings would drown the test output. The child's pid, or -1.
inline pid_t spawnQuiet(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    return pid;
}

// A redis-server child process; stop() and start() keep the port.
class RedisServer {
  public:
    explicit RedisServer(std::vector<std::string> extra = {}) : extra_(std::move(extra)) {
        port_ = freePort();
        dir_ = std::filesystem::temp_directory_path() /
               ("zaqard-redis-" + std::to_string(::getpid()) + "-" + std::to_string(port_));
        std::filesystem::create_directories(dir_);
        // Another process may grab the free port before redis-server binds it: retry.
        for (int attempt = 0; attempt < 3 && !start(); ++attempt) port_ = freePort();
        if (pid_ <= 0) ADD_FAILURE() << "redis-server did not start";
    }
    ~RedisServer() {
        stop();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    int port() const { return port_; }

    // Starts the server (again, on the same port); false when it exited or never answered.
    bool start() {
        const char* binary = std::getenv("REDIS_SERVER");
        std::string path = binary ? binary : "/usr/bin/redis-server";
        std::vector<std::string> args{path,     "--port",       std::to_string(port_),
                                      "--bind", "127.0.0.1",    "--save",
                                      "",       "--appendonly", "no",
                                      "--dir",  dir_.string(),  "--loglevel",
                                      "warning"};
        args.insert(args.end(), extra_.begin(), extra_.end());
        pid_ = spawnQuiet(std::move(args));
        if (pid_ <= 0) return false;
        for (int i = 0; i < 500; ++i) {
            auto c = connect();
            if (c) {
                SyncReply reply(static_cast<redisReply*>(redisCommand(c.get(), "PING")));
                if (reply) return true;  // any answer, NOAUTH included
            }
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {  // it exited
                pid_ = -1;
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        stop();
        return false;
    }

    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    void pause() {
        if (pid_ > 0) ::kill(pid_, SIGSTOP);
    }
    void resume() {
        if (pid_ > 0) ::kill(pid_, SIGCONT);
    }

    std::unique_ptr<redisContext, RedisContextDeleter> connect() const {
        timeval tv{1, 0};
        redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
        if (c == nullptr || c->err) {
            if (c) redisFree(c);
            return nullptr;
        }
        return std::unique_ptr<redisContext, RedisContextDeleter>(c);
    }

    // A synchronous command on a fresh connection (for setup and inspection).
    SyncReply command(const std::vector<std::string>& args) const {
        auto c = connect();
        if (!c) return nullptr;
        return syncCommand(c.get(), args);
    }

  private:
    std::vector<std::string> extra_;
    int port_ = 0;
    pid_t pid_ = -1;
    std::filesystem::path dir_;
};

// Runs a dispatcher step by step until a condition holds or a timeout passes.
inline bool runUntil(event::Dispatcher& dispatcher, const std::function<bool()>& condition,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    auto tick = dispatcher.createTimer([] {});
    int64_t deadline = monotonicMicros() + timeout.count() * 1000;
    while (!condition()) {
        if (monotonicMicros() > deadline) return false;
        tick->enable(std::chrono::milliseconds(5));
        event_base_loop(dispatcher.base(), EVLOOP_ONCE);
    }
    return true;
}

inline void spin(event::Dispatcher& dispatcher, std::chrono::milliseconds duration) {
    int64_t until = monotonicMicros() + duration.count() * 1000;
    runUntil(
        dispatcher, [until] { return monotonicMicros() >= until; }, duration * 2);
}

class RedisDriverTest : public ::testing::Test {
  protected:
    explicit RedisDriverTest(std::vector<std::string> serverArgs = {})
        : server_(std::move(serverArgs)) {}

    void SetUp() override {
        config_.message_store_redis.host = "127.0.0.1";
        config_.message_store_redis.port = server_.port();
        config_.message_store_redis.original =
            "redis://127.0.0.1:" + std::to_string(server_.port());
        config_.redis_timeout = 0.5;
        configure(config_);
        driver_ = std::make_unique<storage::redis::RedisDriver>(
            dispatcher_, config_.message_store_redis,
            runtime::redisDriverOptions(config_, sweep()));
        driver_->start();
        ASSERT_TRUE(runUntil(dispatcher_, [this] { return driver_->ready(); }));
    }
    void TearDown() override {
        driver_.reset();
        runUntil(
            dispatcher_, [] { return false; }, std::chrono::milliseconds(20));
    }
    virtual void configure(config::Config&) {}
    virtual bool sweep() const { return false; }

    storage::Storage store() { return driver_->storage(); }

    // Calls an async store method and runs the loop until it answers.
    template <typename T>
    Result<T> await(const std::function<void(storage::Callback<T>)>& start) {
        std::optional<Result<T>> out;
        start([&out](Result<T> result) { out.emplace(std::move(result)); });
        bool answered = runUntil(dispatcher_, [&out] { return out.has_value(); });
        if (!answered) return Error{ErrorKind::Unavailable, "test: no answer"};
        return std::move(*out);
    }

    RedisServer server_;
    event::Dispatcher dispatcher_;
    config::Config config_;
    std::unique_ptr<storage::redis::RedisDriver> driver_;
};

}  // namespace zaqard::testing

namespace zaqard {
// Both spellings are in use by other tests.
namespace redis_testing = testing;
}  // namespace zaqard
