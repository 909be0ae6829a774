// http:// and https:// (bench/compare measures what TLS costs zaqard's posts/s).
#include "loadgen/endpoint.h"

#include <netdb.h>

#include <cstring>
#include <memory>

namespace zqbench {
namespace {
struct AddrInfoDeleter {
    void operator()(addrinfo* ai) const { freeaddrinfo(ai); }
};
}  // namespace

bool parseEndpoint(const std::string& url, Endpoint* out, std::string* error) {
    out->tls = url.compare(0, 8, "https://") == 0;
    const std::string scheme = out->tls ? "https://" : "http://";
    if (url.compare(0, scheme.size(), scheme) != 0) {
        *error = "only http:// and https:// URLs are supported: " + url;
        return false;
    }
    std::string rest = url.substr(scheme.size());
    const size_t slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    out->pathPrefix = slash == std::string::npos ? "" : rest.substr(slash);
    while (!out->pathPrefix.empty() && out->pathPrefix.back() == '/') out->pathPrefix.pop_back();

    std::string host = authority;
    std::string port = out->tls ? "443" : "80";
    if (!authority.empty() && authority.front() == '[') {
        const size_t close = authority.find(']');
        if (close == std::string::npos) {
            *error = "bad IPv6 address in " + url;
            return false;
        }
        host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':')
            port = authority.substr(close + 2);
    } else if (const size_t colon = authority.rfind(':'); colon != std::string::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
    if (rc != 0) {
        *error = "cannot resolve " + authority + ": " + gai_strerror(rc);
        return false;
    }
    std::unique_ptr<addrinfo, AddrInfoDeleter> owner(found);
    std::memcpy(&out->address, found->ai_addr, found->ai_addrlen);
    out->addressLength = found->ai_addrlen;
    out->hostHeader = authority;
    return true;
}

}  // namespace zqbench
