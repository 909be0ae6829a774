// parseClusterRedirect: see cluster_reply.h.
#include "storage/redis/client/cluster_reply.h"

#include <charconv>
#include <string_view>

namespace zaqard::storage::redis {

namespace {

bool startsWith(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

bool parseInt(std::string_view text, int& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

// "<slot> <host>:<port>" (the host may be an IPv6 address: the port follows the last ':').
bool parseTarget(std::string_view rest, const Endpoint& from, ClusterRedirect& out) {
    auto space = rest.find(' ');
    if (space == std::string_view::npos || !parseInt(rest.substr(0, space), out.slot)) return false;
    std::string_view address = rest.substr(space + 1);
    auto colon = address.rfind(':');
    if (colon == std::string_view::npos || !parseInt(address.substr(colon + 1), out.target.port))
        return false;
    std::string_view host = address.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    out.target.host = host.empty() ? from.host : std::string(host);
    out.target.tls = from.tls;
    return out.slot >= 0 && out.slot < 16384 && out.target.port > 0;
}

}  // namespace

ClusterRedirect parseClusterRedirect(const RedisValue& reply, const Endpoint& from) {
    ClusterRedirect redirect;
    if (!reply.isError()) return redirect;
    std::string_view text = reply.str;
    if (startsWith(text, "MOVED ")) {
        if (parseTarget(text.substr(6), from, redirect))
            redirect.kind = ClusterRedirect::Kind::Moved;
    } else if (startsWith(text, "ASK ")) {
        if (parseTarget(text.substr(4), from, redirect)) redirect.kind = ClusterRedirect::Kind::Ask;
    } else if (startsWith(text, "TRYAGAIN")) {
        redirect.kind = ClusterRedirect::Kind::TryAgain;
    } else if (startsWith(text, "CLUSTERDOWN")) {
        redirect.kind = ClusterRedirect::Kind::Down;
    }
    return redirect;
}

}  // namespace zaqard::storage::redis
