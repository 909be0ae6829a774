// zaqard's configuration: Zaqar's zaqar.conf sections and option names, plus [zaqard].
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zaqard::config {

// `[transport]` limits and defaults (rest-v2.md §2). Names follow Zaqar's options.
struct TransportLimits {
    int64_t default_message_ttl = 3600;
    int64_t default_message_delay = 0;
    int64_t default_claim_ttl = 300;
    int64_t default_claim_grace = 60;
    int64_t default_subscription_ttl = 3600;
    int64_t max_queues_per_page = 20;
    int64_t max_messages_per_page = 20;
    int64_t max_subscriptions_per_page = 20;
    int64_t max_messages_per_claim_or_pop = 20;
    int64_t max_queue_metadata = 65536;
    int64_t max_messages_post_size = 262144;
    int64_t max_message_ttl = 1209600;
    int64_t max_message_delay = 900;
    int64_t max_claim_ttl = 43200;
    int64_t max_claim_grace = 43200;
    int64_t max_flavors_per_page = 20;
    int64_t max_pools_per_page = 20;
    std::vector<std::string> subscriber_types = {"http", "https", "mailto", "trust+http",
                                                 "trust+https"};
    bool client_id_uuid_safe_strict = true;  // client_id_uuid_safe = strict | off
    int64_t min_length_client_id = 10;
    int64_t max_length_client_id = 36;
    bool message_delete_with_claim_id = false;
};

// A parsed Redis URI (auth-and-config.md §5.3).
struct RedisUri {
    std::string original;
    std::string host;            // TCP host; empty for a unix socket
    int port = 6379;
    std::string socketPath;      // unix socket path; empty for TCP
    std::string username;        // optional ACL user
    std::string password;        // optional
    int db = 0;                  // ?dbid=
    double socketTimeout = 0.1;  // ?socket_timeout= (seconds)
    // Sentinel: several hosts and ?master=<name>
    std::vector<std::pair<std::string, int>> sentinels;
    std::string masterName;
};

struct Config {
    std::string sourceFile;  // the file that was loaded, empty when none was found

    // [DEFAULT]
    bool admin_mode = false;
    bool pooling = false;
    std::string auth_strategy;  // "" (noauth) or "keystone"
    bool enable_checksum = false;
    bool debug = false;
    std::string log_file;  // empty: stderr

    // [drivers]
    std::string transport = "wsgi";
    std::string message_store = "redis";
    std::string management_store = "redis";

    // [drivers:transport:wsgi]
    std::string bind = "127.0.0.1";
    int port = 8888;

    // [drivers:transport:websocket]
    std::string websocket_bind = "127.0.0.1";
    int websocket_port = 9000;

    // [drivers:message_store:redis] / [drivers:management_store:redis]
    RedisUri message_store_redis;
    RedisUri management_store_redis;
    int max_reconnect_attempts = 10;
    double reconnect_sleep = 1.0;

    // [transport]
    TransportLimits limits;

    // [signed_url]
    std::string signed_url_secret_key;

    // [zaqard] — our own options
    int shards = 0;                     // 0: one per core
    double redis_timeout = 2.0;         // seconds before a Redis call fails with 503
    double sweep_interval = 1.0;        // seconds between background expiry sweeps
    int max_requests_per_wakeup = 64;   // fairness for pipelining clients
    int max_body_size = 1048576;        // bytes; larger request bodies are refused
};

}  // namespace zaqard::config
