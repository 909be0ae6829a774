// zaqard's configuration: Zaqar's zaqar.conf sections and option names, plus [zaqard].
#pragma once

#include <cstdint>
#include <map>
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
    int64_t max_pools_per_page = 20;
    int64_t max_flavors_per_page = 20;
    int64_t max_messages_per_page = 20;
    int64_t max_subscriptions_per_page = 20;
    int64_t max_messages_per_claim_or_pop = 20;
    int64_t max_queue_metadata = 65536;
    int64_t max_messages_post_size = 262144;
    int64_t max_message_ttl = 1209600;
    int64_t max_message_delay = 900;
    int64_t max_claim_ttl = 43200;
    int64_t max_claim_grace = 43200;
    std::vector<std::string> subscriber_types = {"http", "https", "mailto", "trust+http",
                                                 "trust+https"};
    bool client_id_uuid_safe_strict = true;  // client_id_uuid_safe = strict | off
    int64_t min_length_client_id = 10;
    int64_t max_length_client_id = 36;
    bool message_delete_with_claim_id = false;
};

// A parsed Redis URI (auth-and-config.md §5.3).
// Defaults to Zaqar's default uri, redis://127.0.0.1:6379.
struct RedisUri {
    std::string original = "redis://127.0.0.1:6379";
    std::string host = "127.0.0.1";  // TCP host; empty for a unix socket
    int port = 6379;
    std::string socketPath;         // unix socket path; empty for TCP
    std::string username;           // optional ACL user
    std::string password;           // optional
    int db = 0;                     // ?dbid=
    double socketTimeout = 0.1;     // ?socket_timeout= (seconds)
    bool socketTimeoutSet = false;  // given in the URI (it then bounds connects and sentinels)
    // Sentinel: several hosts and ?master=<name>; the password above is the master's,
    // ?sentinel_username= / ?sentinel_password= log in to the sentinels.
    std::vector<std::pair<std::string, int>> sentinels;
    std::string masterName;
    std::string sentinelUsername;
    std::string sentinelPassword;
    // Redis Cluster: ?cluster=true and the seed nodes (the slot map is read from them).
    bool cluster = false;
    std::vector<std::pair<std::string, int>> clusterNodes;
    // rediss://: TLS to every server of the URI (node, sentinels and master, cluster
    // nodes), with redis-py's query names: ssl_ca_certs, ssl_ca_path, ssl_certfile,
    // ssl_keyfile, ssl_cert_reqs (required | optional | none) and ssl_check_hostname; plus
    // ssl_server_hostname (SNI and the name checked; default: the host).
    bool tls = false;
    std::string tlsCaFile;
    std::string tlsCaPath;
    std::string tlsCertFile;
    std::string tlsKeyFile;
    std::string tlsCertReqs = "required";
    bool tlsCheckHostname = true;
    std::string tlsServerName;
};

// `[notification]` (notifications.md).
struct NotificationOptions {
    std::string smtp_mode = "third_part";  // third_part (sendmail command) | self_local
    std::string smtp_host;                 // empty: unset
    int smtp_port = 0;                     // 0: unset
    std::string smtp_user_name;
    std::string smtp_user_password;
    std::string smtp_command = "/usr/sbin/sendmail -t -oi";
    // Beyond Zaqar (self_local): STARTTLS policy required | when-offered | off, and the CA
    // file that verifies the SMTP server (empty: the system's default CA paths).
    std::string smtp_starttls = "when-offered";
    std::string smtp_ca_file;
    int max_notifier_workers = 10;
    bool require_confirmation = false;
    std::string external_confirmation_url;
    // Dicts with keys topic, body, sender; empty: Zaqar's built-in templates.
    std::map<std::string, std::string> subscription_confirmation_email_template;
    std::map<std::string, std::string> unsubscribe_confirmation_email_template;
};

// `[cors]` (oslo.middleware). CORS is off while allowed_origin is empty.
struct CorsOptions {
    std::vector<std::string> allowed_origin;
    bool allow_credentials = true;
    int max_age = 3600;
    std::vector<std::string> allow_methods = {"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD"};
    std::vector<std::string> allow_headers = {
        "X-Auth-Token", "X-Identity-Status",      "X-Roles",      "X-Service-Catalog", "X-User-Id",
        "X-Tenant-Id",  "X-OpenStack-Request-ID", "X-Trace-Info", "X-Trace-HMAC",      "Client-id"};
    std::vector<std::string> expose_headers = {"X-Auth-Token", "X-Subject-Token", "X-Service-Token",
                                               "X-OpenStack-Request-ID"};
};

// `[keystone_authtoken]` options zaqard reads for auth_strategy = keystone
// (keystonemiddleware's names and defaults; docs/api.md "Keystone").
struct KeystoneAuthOptions {
    std::string www_authenticate_uri;  // (deprecated alias auth_uri) for WWW-Authenticate
    std::string auth_url;              // Keystone endpoint for the service login/validation
    std::string auth_type = "password";
    std::string username;
    std::string password;
    std::string project_name;
    std::string user_domain_name = "Default";
    std::string project_domain_name = "Default";
    std::string cafile;
    bool insecure = false;
    int token_cache_time = 300;        // seconds a validated token is trusted without asking
    bool delay_auth_decision = false;  // pass unauthenticated requests on (X-Identity-Status)
    double http_connect_timeout = 0;   // seconds; 0: zaqard's default (5 s connect, 10 s total)
    int token_cache_size = 10000;      // zaqard: cached tokens per shard (bounded memory)
};

// `[trustee]` (keystoneauth's password plugin options, as Zaqar reads them): the user
// trust+http(s) subscriptions delegate to (docs/security.md "Trust subscriptions").
// Trusts are made only under auth_strategy = keystone, and need auth_url and username.
struct TrusteeOptions {
    std::string auth_type = "password";
    std::string auth_url;
    std::string username;
    std::string password;
    std::string user_domain_name = "Default";
    // Scope of the trustee's own login (which tells zaqard its user id); empty: unscoped.
    std::string project_name;
    std::string project_domain_name = "Default";
};

// Sections whose options belong to other OpenStack libraries ([keystone_authtoken],
// [trustee], [cache], [profiler]): kept verbatim, option name -> raw value.
using RawSection = std::map<std::string, std::string>;

struct Config {
    std::string sourceFile;  // the file that was loaded, empty when none was found

    // [DEFAULT]
    bool admin_mode = false;
    bool pooling = false;
    // [pooling:catalog]: with pooling, the message store is the pool of queues no
    // registered pool takes (rest-v2.md §9.1).
    bool enable_virtual_pool = false;
    std::string auth_strategy;  // "" (noauth) or "keystone"
    bool enable_checksum = false;
    bool debug = false;
    std::string log_format = "text";  // [zaqard] log_format: text | json
    int metrics_top_queues = 10;      // [zaqard] metrics_top_queues: 0..100
    int redis_slow_call_ms = 250;     // [zaqard] redis_slow_call_ms: 0 = no warnings
    std::string log_file;  // empty: stderr (already joined with log_dir when both are set)
    std::string log_dir;

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
    std::string websocket_notification_bind;  // empty: all interfaces
    int websocket_notification_port = 0;      // 0: a random port

    // [drivers:message_store:redis] / [drivers:management_store:redis] (the same server
    // unless pooling: then the management store holds pools, flavors and the catalog)
    RedisUri message_store_redis;
    RedisUri management_store_redis;

    // [transport]
    TransportLimits limits;
    // [transport] message_encryption_key: the passphrase whose SHA-256 keys AES-256-GCM for
    // queues with _enable_encrypt_messages (docs/security.md). Zaqar's default, the public
    // string "AES256", is kept (a warning says so); message_encryption_algorithms accepts
    // only Zaqar's one choice, AES256.
    std::string message_encryption_key = "AES256";
    bool message_encryption_key_set = false;
    std::string message_encryption_algorithms = "AES256";  // zaqard: AES-256-GCM

    // [signed_url]
    std::string signed_url_secret_key;

    // [notification]
    NotificationOptions notification;

    // [storage] (the other pipelines accept only an empty list)
    std::vector<std::string> message_pipeline;  // zaqar.notification.notifier enables notifications

    // [cors]
    CorsOptions cors;

    // [oslo_policy]
    std::string policy_file = "policy.yaml";
    std::vector<std::string> policy_dirs = {"policy.d"};

    // Other libraries' sections, verbatim.
    RawSection keystone_authtoken;
    KeystoneAuthOptions keystone;  // typed view of keystone_authtoken (keystone_options.cpp)
    RawSection trustee;
    TrusteeOptions trustee_options;  // typed view of [trustee]
    RawSection cache;
    RawSection profiler;

    // [zaqard] — our own options
    int shards = 0;              // 0: one per core
    double redis_timeout = 2.0;  // seconds before a Redis call fails with 503
    // A write is acknowledged only once WAIT confirms it reached this many replicas
    // within redis_wait_timeout seconds (else 503). 0: no WAIT.
    int redis_wait_replicas = 0;
    double redis_wait_timeout = 1.0;
    // Concurrent calls of a hot script on one queue in one loop turn go to Redis as one
    // batch call (storage/redis/client/coalescing_client.h).
    bool redis_coalesce = true;
    double sweep_interval = 1.0;  // seconds between background expiry sweeps
    // Notification engine (docs/notifications.md): how often each shard looks for jobs
    // and due retries it was not told about, and how long a job or retry may stay with a
    // silent notifier before another one takes it over (a crashed process).
    double notification_poll_interval = 0.5;
    double notification_claim_idle = 60.0;
    // Bytes; larger request bodies get 413. Generous on purpose: below it the api answers
    // Zaqar's own 400s (Zaqar has no transport cap; its compat suite posts 6.5 MB).
    int max_body_size = 8388608;
    // bytes of replies queued for one WebSocket peer before it is closed (1008, slow reader)
    int64_t websocket_max_output_bytes = 16 << 20;
    // TLS (docs/security.md "TLS"): PEM certificate (chain) and key of the HTTPS and WSS
    // listeners, re-read on SIGHUP; a CA file makes a client certificate it signed
    // mandatory. The TLS listeners run beside the plain ones, on the plain listeners'
    // bind addresses: ssl_port for HTTPS, ssl_websocket_port for WSS (-1: none, 0: any).
    std::string ssl_cert_file;
    std::string ssl_key_file;
    std::string ssl_ca_file;
    int ssl_port = -1;
    int ssl_websocket_port = -1;
    bool tlsEnabled() const { return !ssl_cert_file.empty(); }
    // Abuse limits of the REST listener (docs/security.md "Limits";
    // transports/http/connection.h). Request line + headers, in bytes (414/431 past it).
    int max_header_size = 32768;
    // Seconds: a request's line and headers must arrive within http_header_timeout of its
    // first byte; a body may pause at most http_body_timeout between two reads; a
    // keep-alive connection with no request for http_idle_timeout is closed; a reply the
    // client does not read for http_write_timeout closes the connection. 0: no limit. A
    // request the server is answering (a long poll) is never timed out.
    double http_header_timeout = 10.0;
    double http_body_timeout = 30.0;
    double http_idle_timeout = 60.0;
    double http_write_timeout = 60.0;
    // Open REST connections per shard, and per client address per shard; past them a new
    // connection is answered 503 and closed. 0: no limit.
    int max_connections = 10000;
    int max_connections_per_client = 1000;
    // Pipelining: requests one REST connection may start per loop wake-up, and how many of
    // its requests may wait for replies at once (the rest waits in the socket buffer).
    int max_requests_per_wakeup = 16;
    // Long polling: the largest `wait` (seconds) a claim or a listing may ask for; larger
    // ones get 400. 0: nobody waits.
    int64_t max_wait_seconds = 20;

    // Zaqar delivers notifications only with `[storage] message_pipeline` naming
    // zaqar.notification.notifier (notifications.md §1).
    bool notificationsEnabled() const {
        for (const auto& stage : message_pipeline)
            if (stage == "zaqar.notification.notifier") return true;
        return false;
    }
};

}  // namespace zaqard::config
