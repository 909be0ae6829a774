// makeClient: the URI's form picks the client; see client_factory.h.
#include "storage/redis/client/client_factory.h"

#include <cstdint>

#include "storage/redis/client/cluster_client.h"
#include "storage/redis/client/node_client.h"
#include "storage/redis/client/sentinel_client.h"
#include "storage/redis/client/tls_relay.h"

namespace zaqard::storage::redis {

std::chrono::milliseconds commandDeadline(const config::RedisUri& uri,
                                          const ClientOptions& options) {
    // ?socket_timeout= is Zaqar's per-command socket timeout: when the URI gives one it
    // bounds every command (and sentinel query) of this Redis instead of redis_timeout.
    if (uri.socketTimeoutSet) {
        // A huge timeout (parseRedisUri takes any finite number, e.g. 1e300) is as long as
        // a timer can wait; converting it unclamped was undefined and gave 1 ms on x86.
        constexpr double kMaxMs = static_cast<double>(INT32_MAX);
        const double ms = uri.socketTimeout * 1000;
        if (!(ms < kMaxMs)) return std::chrono::milliseconds(INT32_MAX);
        auto whole = static_cast<int64_t>(ms);
        return std::chrono::milliseconds(whole > 0 ? whole : 1);
    }
    return options.timeout;
}

bool clientSupports(const config::RedisUri& uri, std::string& error) {
    // rediss://: the TLS files must be usable (built again, once per client, below).
    if (uri.tls && !RedisTlsContext::create(uri, error)) return false;
    // A cluster has database 0 only (SELECT is refused in cluster mode).
    if (uri.cluster && uri.db != 0) {
        error = "The Redis cluster URI " + uri.original +
                " sets dbid: a Redis Cluster has database 0 only";
        return false;
    }
    return true;
}

std::unique_ptr<RedisClient> makeClient(event::Dispatcher& dispatcher, const config::RedisUri& uri,
                                        const ClientOptions& options, std::string& error) {
    if (!clientSupports(uri, error)) return nullptr;
    std::shared_ptr<const RedisTlsContext> tls;
    if (uri.tls && !(tls = RedisTlsContext::create(uri, error))) return nullptr;
    if (uri.cluster) {
        ClusterClientOptions cluster;
        cluster.timeout = commandDeadline(uri, options);
        for (const auto& [host, port] : uri.clusterNodes)
            cluster.seeds.push_back({host, port, "", tls});
        cluster.credentials = {uri.username, uri.password};
        return std::make_unique<ClusterClient>(dispatcher, std::move(cluster));
    }
    if (!uri.sentinels.empty()) {
        SentinelClientOptions sentinel;
        sentinel.timeout = commandDeadline(uri, options);
        sentinel.sentinelTimeout = sentinel.timeout;
        for (const auto& [host, port] : uri.sentinels)
            sentinel.sentinels.push_back({host, port, "", tls});
        sentinel.masterName = uri.masterName;
        sentinel.sentinelCredentials = {uri.sentinelUsername, uri.sentinelPassword};
        sentinel.masterCredentials = {uri.username, uri.password};
        sentinel.db = uri.db;
        sentinel.metricsStore = options.metricsStore;
        return std::make_unique<SentinelClient>(dispatcher, std::move(sentinel));
    }
    NodeClientOptions node;
    node.timeout = commandDeadline(uri, options);
    node.credentials = {uri.username, uri.password};
    node.db = uri.db;
    node.metricsStore = options.metricsStore;
    Endpoint endpoint{uri.host, uri.port, uri.socketPath, tls};
    return std::make_unique<NodeClient>(dispatcher, std::make_shared<FixedLocator>(endpoint),
                                        std::move(node));
}

}  // namespace zaqard::storage::redis
