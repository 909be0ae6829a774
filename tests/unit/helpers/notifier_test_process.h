// Test support for the notifier tests: runs a helper script of this folder with
// /usr/bin/python3, reads the loopback port it prints, and stops it (by its pid) on
// destruction. Also small file helpers for the records the scripts write.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace zaqard::notifier_test {

inline std::string helperPath(const std::string& script) {
    std::string file = __FILE__;
    return file.substr(0, file.rfind('/') + 1) + script;
}

inline std::string tempPath(const std::string& stem) {
    static int counter = 0;
    return "/tmp/zaqard-notifier-test-" + std::to_string(::getpid()) + "-" +
           std::to_string(++counter) + "-" + stem;
}

inline std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

inline std::vector<std::string> readLines(const std::string& path) {
    std::vector<std::string> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
    }
    return lines;
}

// Waits until `path` has at least `count` lines (helpers append asynchronously).
inline std::vector<std::string> waitForLines(
    const std::string& path, size_t count,
    std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
        auto lines = readLines(path);
        if (lines.size() >= count || std::chrono::steady_clock::now() > deadline) return lines;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

class HelperProcess {
  public:
    explicit HelperProcess(const std::string& script, std::vector<std::string> args = {}) {
        std::vector<std::string> argv = {"/usr/bin/python3", helperPath(script)};
        argv.insert(argv.end(), args.begin(), args.end());
        std::vector<char*> raw;
        for (auto& arg : argv) raw.push_back(arg.data());
        raw.push_back(nullptr);
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) return;
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
        if (::posix_spawn(&pid_, raw[0], &actions, nullptr, raw.data(), environ) != 0) pid_ = -1;
        posix_spawn_file_actions_destroy(&actions);
        ::close(fds[1]);
        // The first line is the port; allow a slow interpreter start.
        std::string line;
        pollfd readable{fds[0], POLLIN, 0};
        while (line.find('\n') == std::string::npos && ::poll(&readable, 1, 10000) > 0) {
            char c[64];
            ssize_t n = ::read(fds[0], c, sizeof c);
            if (n <= 0) break;
            line.append(c, static_cast<size_t>(n));
        }
        ::close(fds[0]);
        port_ = std::atoi(line.c_str());
    }
    ~HelperProcess() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    HelperProcess(const HelperProcess&) = delete;
    HelperProcess& operator=(const HelperProcess&) = delete;

    int port() const { return port_; }
    bool ok() const { return pid_ > 0 && port_ > 0; }

  private:
    pid_t pid_ = -1;
    int port_ = 0;
};

}  // namespace zaqard::notifier_test
