// Per-shard connection limits of one listener: [zaqard] max_connections and
// max_connections_per_client, checked when a connection is accepted. The REST and the
// WebSocket listener each keep one per shard (shards share nothing; the kernel spreads
// connections over them), so the limits count per listener, not for both together.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "src/metrics/thread_metrics.h"

namespace zaqard::event {

class ConnectionAdmission {
  public:
    // `listener` names the listener in the warning a refusal logs ("http", "websocket").
    // A limit <= 0 is no limit.
    ConnectionAdmission(std::string listener, int maxConnections, int maxPerClient)
        : listener_(std::move(listener)),
          maxConnections_(maxConnections),
          maxPerClient_(maxPerClient) {}

    // Why a new connection from `peer` must be refused (logged as a warning), or nothing.
    std::optional<metrics::RejectReason> refusal(const std::string& peer) const;
    // A connection from `peer` was let in / has ended (once for each admit).
    void admit(const std::string& peer);
    void release(const std::string& peer);

  private:
    std::string listener_;
    int maxConnections_;
    int maxPerClient_;
    size_t admitted_ = 0;
    std::unordered_map<std::string, int> perClient_;  // admitted connections by address
};

// "127.0.0.1" / "::1": an accepted peer's address, as the per-client limit counts it, and
// its port when `port` is given ("" and 0 for other address families).
std::string peerAddress(const sockaddr* address, int* port = nullptr);

}  // namespace zaqard::event
