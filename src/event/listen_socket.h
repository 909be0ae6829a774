// The listening socket of one shard: non-blocking, SO_REUSEADDR + SO_REUSEPORT so that
// every shard binds the same address and the kernel spreads connections between them.
// Shared by the REST and WebSocket transports and the start-up port reservation.
#pragma once

#include <string>

#include "src/common/unique_fd.h"

namespace zaqard::event {

// Binds `host:port` (a name or address; port 0 picks one). With `listenNow` false the
// socket is only bound, which reserves the port for SO_REUSEPORT siblings without taking
// connections. On failure: an invalid fd and `error` saying what and why.
UniqueFd openListener(const std::string& host, int port, bool listenNow, std::string& error);

// The local port a socket is bound to, or 0.
int localPort(int fd);

}  // namespace zaqard::event
