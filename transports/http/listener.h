// The listening socket of one shard: non-blocking, SO_REUSEADDR + SO_REUSEPORT so that
// every shard binds the same address and the kernel spreads connections between them.
#pragma once

#include <string>
#include <utility>

namespace zaqard::http {

// Owns a file descriptor; closes it unless released.
class UniqueFd {
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd();

    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }
    explicit operator bool() const { return fd_ >= 0; }

  private:
    int fd_ = -1;
};

// Binds `host:port` (a name or address; port 0 picks one). With `listenNow` false the
// socket is only bound, which reserves the port for SO_REUSEPORT siblings without taking
// connections. On failure: an invalid fd and `error` saying what and why.
UniqueFd openListener(const std::string& host, int port, bool listenNow, std::string& error);

// The local port a socket is bound to, or 0.
int localPort(int fd);

}  // namespace zaqard::http
