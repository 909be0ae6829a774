// Builds the RedisClient a parsed Redis URI asks for: a NodeClient for redis://host:port
// and redis:/path.sock, a SentinelClient for redis://s1,s2?master=NAME, a ClusterClient for
// redis://h1:7000,h2:7001?cluster=true (the listed nodes are seeds: the slot map is read
// from them).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "src/config/config.h"
#include "src/event/dispatcher.h"
#include "storage/redis/client/redis_client.h"

namespace zaqard::storage::redis {

struct ClientOptions {
    // A command's deadline ([zaqard] redis_timeout).
    std::chrono::milliseconds timeout{2000};
    // The `store` label of the client's Redis metrics (one configured store or pool).
    std::string metricsStore = "message";
};

// False + a message for the operator when no client can serve `uri` (checked at start-up,
// before anything is built).
bool clientSupports(const config::RedisUri& uri, std::string& error);

// The deadline of each command: the URI's ?socket_timeout= when it has one (at least 1 ms,
// at most INT32_MAX ms), else options.timeout.
std::chrono::milliseconds commandDeadline(const config::RedisUri& uri,
                                          const ClientOptions& options);

// Null (with `error`) when clientSupports() is false.
std::unique_ptr<RedisClient> makeClient(event::Dispatcher& dispatcher, const config::RedisUri& uri,
                                        const ClientOptions& options, std::string& error);

}  // namespace zaqard::storage::redis
