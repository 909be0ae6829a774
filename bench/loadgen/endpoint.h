// The server address of a run, parsed from --url (http(s)://host:port; a path prefix such as
// http://host:port/zaqar is kept and put before every request path).
#pragma once

#include <sys/socket.h>

#include <string>

namespace zqbench {

struct Endpoint {
    sockaddr_storage address{};
    socklen_t addressLength = 0;
    std::string hostHeader;  // host:port as sent in Host
    std::string pathPrefix;  // without trailing slash
    bool tls = false;        // https://
};

// Resolves with getaddrinfo; returns false and fills `error` on failure.
bool parseEndpoint(const std::string& url, Endpoint* out, std::string* error);

}  // namespace zqbench
