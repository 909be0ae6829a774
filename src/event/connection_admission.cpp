// Connection limits per listener and shard; see connection_admission.h.
#include "src/event/connection_admission.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "src/common/log.h"

namespace zaqard::event {

std::optional<metrics::RejectReason> ConnectionAdmission::refusal(const std::string& peer) const {
    if (maxConnections_ > 0 && admitted_ >= static_cast<size_t>(maxConnections_)) {
        log::warning(listener_ + ": connection from " + peer +
                     " refused: " + std::to_string(maxConnections_) +
                     " connections open ([zaqard] max_connections)");
        return metrics::RejectReason::MaxConnections;
    }
    auto fromClient = perClient_.find(peer);
    if (maxPerClient_ > 0 && fromClient != perClient_.end() &&
        fromClient->second >= maxPerClient_) {
        log::warning(listener_ + ": connection from " + peer +
                     " refused: " + std::to_string(maxPerClient_) +
                     " connections open from it ([zaqard] max_connections_per_client)");
        return metrics::RejectReason::MaxConnectionsPerClient;
    }
    return std::nullopt;
}

void ConnectionAdmission::admit(const std::string& peer) {
    ++perClient_[peer];
    ++admitted_;
}

void ConnectionAdmission::release(const std::string& peer) {
    if (admitted_ > 0) --admitted_;
    auto client = perClient_.find(peer);
    if (client != perClient_.end() && --client->second <= 0) perClient_.erase(client);
}

std::string peerAddress(const sockaddr* address, int* port) {
    char text[INET6_ADDRSTRLEN] = "";
    int number = 0;
    if (address && address->sa_family == AF_INET) {
        auto* in = reinterpret_cast<const sockaddr_in*>(address);
        inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
        number = ntohs(in->sin_port);
    } else if (address && address->sa_family == AF_INET6) {
        auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
        inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
        number = ntohs(in6->sin6_port);
    }
    if (port) *port = number;
    return text;
}

}  // namespace zaqard::event
