#include "notifiers/mail_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace zaqard::notifiers {

namespace {

constexpr int kExTempFail = 75;

using Clock = std::chrono::steady_clock;

// Closes a descriptor when it goes out of scope.
class Fd {
  public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

  private:
    int fd_;
};

// Owns posix_spawn's attribute objects.
struct SpawnSetup {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    SpawnSetup() {
        posix_spawn_file_actions_init(&actions);
        posix_spawnattr_init(&attributes);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attributes);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
};

// A write to a pipe whose reader is gone raised SIGPIPE on this thread (blocked by the
// worker pool): consume it so it does not stay pending.
void consumePendingSigpipe() {
    sigset_t pipeOnly;
    sigemptyset(&pipeOnly);
    sigaddset(&pipeOnly, SIGPIPE);
    timespec zero{0, 0};
    sigtimedwait(&pipeOnly, nullptr, &zero);
}

int millisLeft(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Writes everything unless the reader goes away or the deadline passes.
bool writeAll(int fd, std::string_view data, Clock::time_point deadline, std::string& error) {
    size_t written = 0;
    while (written < data.size()) {
        ssize_t n = ::write(fd, data.data() + written, data.size() - written);
        if (n > 0) {
            written += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
            pollfd waitFor{fd, POLLOUT, 0};
            int left = millisLeft(deadline);
            if (left == 0 || ::poll(&waitFor, 1, left) == 0) {
                error = "mail command timed out reading its input";
                return false;
            }
            continue;
        }
        if (errno == EPIPE) consumePendingSigpipe();
        error = std::string("writing to the mail command: ") + std::strerror(errno);
        return false;
    }
    return true;
}

}  // namespace

std::vector<std::string> splitMailCommand(std::string_view command) {
    std::vector<std::string> args;
    size_t start = 0;
    while (start <= command.size()) {
        size_t end = command.find(' ', start);
        if (end == std::string_view::npos) end = command.size();
        if (end > start) args.emplace_back(command.substr(start, end - start));
        start = end + 1;
    }
    return args;
}

MailCommandResult runMailCommand(const std::string& command, std::string_view input,
                                 std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    std::vector<std::string> args = splitMailCommand(command);
    if (args.empty()) return {DeliveryOutcome::GiveUp, "smtp_command is empty"};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);

    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
        return {DeliveryOutcome::Retry, std::string("pipe: ") + std::strerror(errno)};
    }
    Fd readEnd(pipeFds[0]);
    Fd writeEnd(pipeFds[1]);

    SpawnSetup setup;
    posix_spawn_file_actions_adddup2(&setup.actions, readEnd.get(), STDIN_FILENO);
    // Our sockets are not the mailer's business, whether or not they are close-on-exec.
    posix_spawn_file_actions_addclosefrom_np(&setup.actions, STDERR_FILENO + 1);
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&setup.attributes, &none);
    posix_spawnattr_setsigdefault(&setup.attributes, &defaults);
    posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    pid_t pid = -1;
    int spawned =
        ::posix_spawnp(&pid, argv[0], &setup.actions, &setup.attributes, argv.data(), environ);
    readEnd.reset();
    if (spawned != 0) {
        return {DeliveryOutcome::Retry,
                "cannot run " + args[0] + ": " + std::string(std::strerror(spawned))};
    }

    std::string writeError;
    ::fcntl(writeEnd.get(), F_SETFL, O_NONBLOCK);
    bool fed = writeAll(writeEnd.get(), input, deadline, writeError);
    writeEnd.reset();  // EOF: the mailer may now send

    int status = 0;
    bool exited = false;
    while (true) {
        pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) {
            exited = true;
            break;
        }
        if (done < 0 && errno != EINTR) break;
        if (millisLeft(deadline) == 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!exited) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        return {DeliveryOutcome::Retry, args[0] + " did not finish in time and was killed"};
    }
    if (WIFSIGNALED(status)) {
        return {DeliveryOutcome::Retry,
                args[0] + " was killed by signal " + std::to_string(WTERMSIG(status))};
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (code != 0) {
        return {code == kExTempFail ? DeliveryOutcome::Retry : DeliveryOutcome::GiveUp,
                args[0] + " exited with status " + std::to_string(code)};
    }
    if (!fed) return {DeliveryOutcome::Retry, writeError};
    return {};
}

}  // namespace zaqard::notifiers
