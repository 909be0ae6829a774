#include "src/event/listen_socket.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace zaqard::event {

namespace {
struct AddrInfoDeleter {
    void operator()(addrinfo* info) const { freeaddrinfo(info); }
};
constexpr int kBacklog = 1024;
}  // namespace

UniqueFd openListener(const std::string& host, int port, bool listenNow, std::string& error) {
    const std::string where = host + ":" + std::to_string(port);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    std::string service = std::to_string(port);
    int status =
        getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found);
    if (status != 0) {
        error = "cannot listen on " + where + ": " + gai_strerror(status);
        return UniqueFd();
    }
    std::unique_ptr<addrinfo, AddrInfoDeleter> addresses(found);
    int lastErrno = 0;
    for (addrinfo* address = found; address; address = address->ai_next) {
        UniqueFd fd(::socket(address->ai_family,
                             address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                             address->ai_protocol));
        if (!fd) {
            lastErrno = errno;
            continue;
        }
        int on = 1;
        if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
            ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0 ||
            ::bind(fd.get(), address->ai_addr, address->ai_addrlen) != 0 ||
            (listenNow && ::listen(fd.get(), kBacklog) != 0)) {
            lastErrno = errno;
            continue;
        }
        // Accepted sockets inherit TCP_NODELAY on Linux. Without it a reply written in two
        // pieces (lws sends frames over ~1 KiB in two) waits for the client's delayed ACK:
        // 40 ms per large WebSocket reply. Our replies are whole messages, so Nagle's
        // coalescing buys nothing.
        ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        return fd;
    }
    error = "cannot listen on " + where + ": " + std::strerror(lastErrno);
    return UniqueFd();
}

int localPort(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
    if (address.ss_family == AF_INET)
        return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
    if (address.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
    return 0;
}

}  // namespace zaqard::event
