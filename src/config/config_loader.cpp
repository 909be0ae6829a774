// loadConfigFile: zaqar.conf through inih, applied with a table of Zaqar's sections and
// option names (auth-and-config.md §5). Values are gathered first and applied second, so
// a current option name always wins over its deprecated alias, whatever the file order.
#include "src/config/config_loader.h"

#include <ini.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "src/common/log.h"
#include "src/config/config_values.h"
#include "src/config/keystone_options.h"

namespace zaqard::config {

namespace {

using Key = std::pair<std::string, std::string>;  // (section, option), both lower-case
// Returns false with a reason ("expected an integer") when the value is bad.
using Setter = std::function<bool(Config&, const std::string&, std::string&)>;

struct OptionSpec {
    std::string section;
    std::string name;
    Setter set;
    std::vector<Key> deprecated;  // older names, read only when the current one is absent
};

#define ZQ_FIELD(expr) [](Config& c) -> decltype(auto) { return (c.expr); }

template <typename Get>
Setter boolOpt(Get get) {
    return [get](Config& c, const std::string& value, std::string& why) {
        auto parsed = parseBool(value);
        if (!parsed) {
            why = "expected a boolean (true/false, yes/no, 1/0, on/off)";
            return false;
        }
        get(c) = *parsed;
        return true;
    };
}

template <typename Get>
Setter intOpt(Get get, int64_t min = INT32_MIN, int64_t max = INT32_MAX) {
    return [get, min, max](Config& c, const std::string& value, std::string& why) {
        auto parsed = parseInt(value);
        if (!parsed) {
            why = "expected an integer";
            return false;
        }
        if (*parsed < min || *parsed > max) {
            why = "expected an integer from " + std::to_string(min) + " to " + std::to_string(max);
            return false;
        }
        get(c) = static_cast<std::remove_reference_t<decltype(get(c))>>(*parsed);
        return true;
    };
}

template <typename Get>
Setter portOpt(Get get) {
    return intOpt(get, 0, 65535);
}

// A port that may be left unset (empty: -1, no such listener).
template <typename Get>
Setter optionalPortOpt(Get get) {
    return [get](Config& c, const std::string& value, std::string& why) {
        if (value.empty()) {
            get(c) = -1;
            return true;
        }
        return intOpt(get, 0, 65535)(c, value, why);
    };
}

template <typename Get>
Setter floatOpt(Get get, double minExclusive) {
    return [get, minExclusive](Config& c, const std::string& value, std::string& why) {
        auto parsed = parseFloat(value);
        if (!parsed || *parsed <= minExclusive) {
            why = "expected a number greater than " + std::to_string(minExclusive);
            return false;
        }
        get(c) = *parsed;
        return true;
    };
}

// Seconds, 0 meaning "no limit".
template <typename Get>
Setter secondsOpt(Get get) {
    return [get](Config& c, const std::string& value, std::string& why) {
        auto parsed = parseFloat(value);
        if (!parsed || *parsed < 0 || *parsed > 86400.0 * 365) {
            why = "expected seconds (0: no limit)";
            return false;
        }
        get(c) = *parsed;
        return true;
    };
}

template <typename Get>
Setter strOpt(Get get) {
    return [get](Config& c, const std::string& value, std::string&) {
        get(c) = value;
        return true;
    };
}

template <typename Get>
Setter choiceOpt(Get get, std::vector<std::string> choices) {
    return [get, choices](Config& c, const std::string& value, std::string& why) {
        if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
            why = "expected one of:";
            for (const auto& choice : choices) why += " '" + choice + "'";
            return false;
        }
        get(c) = value;
        return true;
    };
}

template <typename Get>
Setter listOpt(Get get) {
    return [get](Config& c, const std::string& value, std::string&) {
        get(c) = parseList(value);
        return true;
    };
}

template <typename Get>
Setter dictOpt(Get get) {
    return [get](Config& c, const std::string& value, std::string& why) {
        auto parsed = parseDict(value);
        if (!parsed) {
            why = "expected key:value pairs separated by commas";
            return false;
        }
        get(c) = std::move(*parsed);
        return true;
    };
}

template <typename Get>
Setter redisUriOpt(Get get) {
    return [get](Config& c, const std::string& value, std::string& why) {
        return parseRedisUri(value, get(c), why);
    };
}

// Zaqar's stores other than Redis are out of scope: refuse them at start-up, clearly.
Setter storeOpt(std::string Config::*field) {
    return [field](Config& c, const std::string& value, std::string& why) {
        if (value != "redis") {
            why = "unsupported storage driver (zaqard stores everything in Redis: use 'redis')";
            return false;
        }
        c.*field = value;
        return true;
    };
}

// Zaqar options zaqard has nothing behind. Start-up fails naming them (design.md: "every
// option takes effect") unless the value is one that describes what zaqard does anyway
// (`accepts`; none: every value is refused) -- an option parsed and ignored would be a
// silent lie to the operator.
Setter refused(std::string reason, std::function<bool(const std::string&)> accepts = nullptr) {
    return [reason = std::move(reason), accepts = std::move(accepts)](
               Config&, const std::string& value, std::string& why) {
        if (accepts && accepts(value)) return true;
        why = "not supported by zaqard: " + reason;
        return false;
    };
}

bool isFalse(const std::string& value) {
    auto parsed = parseBool(value);
    return parsed && !*parsed;
}

bool isEmptyList(const std::string& value) {
    return parseList(value).empty();
}

const std::vector<OptionSpec>& optionTable() {
    static const std::vector<OptionSpec> table = [] {
        std::vector<OptionSpec> t;
        auto add = [&t](std::string section, std::string name, Setter set,
                        std::vector<Key> deprecated = {}) {
            t.push_back(
                {std::move(section), std::move(name), std::move(set), std::move(deprecated)});
        };
        const std::string d = "default";
        add(d, "admin_mode", boolOpt(ZQ_FIELD(admin_mode)));
        add(d, "pooling", boolOpt(ZQ_FIELD(pooling)), {{d, "sharding"}});
        add(d, "unreliable",
            refused("a MongoDB option (a store without a replica set); Redis does not read it"));
        add(d, "enable_deprecated_api_versions",
            refused("only the v2 API is served (leave the list empty)", isEmptyList));
        add(d, "enable_checksum", boolOpt(ZQ_FIELD(enable_checksum)));
        add(d, "auth_strategy", choiceOpt(ZQ_FIELD(auth_strategy), {"", "keystone"}));
        add(d, "debug", boolOpt(ZQ_FIELD(debug)));
        add(d, "log_file", strOpt(ZQ_FIELD(log_file)), {{d, "logfile"}});
        add(d, "log_dir", strOpt(ZQ_FIELD(log_dir)), {{d, "logdir"}});

        add("drivers", "transport", choiceOpt(ZQ_FIELD(transport), {"wsgi", "websocket"}));
        add("drivers", "message_store", storeOpt(&Config::message_store), {{"drivers", "storage"}});
        add("drivers", "management_store", storeOpt(&Config::management_store));

        add("drivers:transport:wsgi", "bind", strOpt(ZQ_FIELD(bind)));
        add("drivers:transport:wsgi", "port", portOpt(ZQ_FIELD(port)));
        const std::string ws = "drivers:transport:websocket";
        add(ws, "bind", strOpt(ZQ_FIELD(websocket_bind)));
        add(ws, "port", portOpt(ZQ_FIELD(websocket_port)));
        add(ws, "external_port",
            refused("zaqard advertises no WebSocket URL for a port behind a proxy to change"));
        add(ws, "notification_bind", strOpt(ZQ_FIELD(websocket_notification_bind)));
        add(ws, "notification_port", portOpt(ZQ_FIELD(websocket_notification_port)));

        const std::string old = "drivers:storage:redis";
        const std::string msg = "drivers:message_store:redis";
        const std::string mgmt = "drivers:management_store:redis";
        add(msg, "uri", redisUriOpt(ZQ_FIELD(message_store_redis)), {{old, "uri"}});
        const std::string noRetry =
            "a Redis call is not retried: it answers 503 after [zaqard] redis_timeout while "
            "the connection is re-established in the background";
        add(msg, "max_reconnect_attempts", refused(noRetry), {{old, "max_reconnect_attempts"}});
        add(msg, "reconnect_sleep", refused(noRetry), {{old, "reconnect_sleep"}});
        // Must name the message store's Redis (checked after the table).
        add(mgmt, "uri", redisUriOpt(ZQ_FIELD(management_store_redis)), {{old, "uri"}});
        add(mgmt, "max_reconnect_attempts", refused(noRetry), {{old, "max_reconnect_attempts"}});
        add(mgmt, "reconnect_sleep", refused(noRetry), {{old, "reconnect_sleep"}});

        const std::string tr = "transport";
        const std::string lim = "limits:transport";
        add(tr, "default_message_ttl", intOpt(ZQ_FIELD(limits.default_message_ttl), 0, INT64_MAX));
        add(tr, "default_message_delay",
            intOpt(ZQ_FIELD(limits.default_message_delay), 0, INT64_MAX));
        add(tr, "default_claim_ttl", intOpt(ZQ_FIELD(limits.default_claim_ttl), 0, INT64_MAX));
        add(tr, "default_claim_grace", intOpt(ZQ_FIELD(limits.default_claim_grace), 0, INT64_MAX));
        add(tr, "default_subscription_ttl",
            intOpt(ZQ_FIELD(limits.default_subscription_ttl), 0, INT64_MAX));
        add(tr, "max_queues_per_page", intOpt(ZQ_FIELD(limits.max_queues_per_page), 1, INT64_MAX),
            {{lim, "queue_paging_uplimit"}});
        add(tr, "max_messages_per_page",
            intOpt(ZQ_FIELD(limits.max_messages_per_page), 1, INT64_MAX),
            {{lim, "message_paging_uplimit"}});
        add(tr, "max_subscriptions_per_page",
            intOpt(ZQ_FIELD(limits.max_subscriptions_per_page), 1, INT64_MAX),
            {{lim, "subscription_paging_uplimit"}});
        add(tr, "max_messages_per_claim_or_pop",
            intOpt(ZQ_FIELD(limits.max_messages_per_claim_or_pop), 1, INT64_MAX),
            {{tr, "max_messages_per_claim"}});
        add(tr, "max_queue_metadata", intOpt(ZQ_FIELD(limits.max_queue_metadata), 1, INT64_MAX),
            {{lim, "metadata_size_uplimit"}});
        add(tr, "max_messages_post_size",
            intOpt(ZQ_FIELD(limits.max_messages_post_size), 1, INT64_MAX),
            {{tr, "max_message_size"}, {lim, "message_size_uplimit"}});
        add(tr, "max_message_ttl", intOpt(ZQ_FIELD(limits.max_message_ttl), 1, INT64_MAX),
            {{lim, "message_ttl_max"}});
        add(tr, "max_message_delay", intOpt(ZQ_FIELD(limits.max_message_delay), 0, INT64_MAX));
        add(tr, "max_claim_ttl", intOpt(ZQ_FIELD(limits.max_claim_ttl), 1, INT64_MAX),
            {{lim, "claim_ttl_max"}});
        add(tr, "max_claim_grace", intOpt(ZQ_FIELD(limits.max_claim_grace), 1, INT64_MAX),
            {{lim, "claim_grace_max"}});
        add(tr, "subscriber_types", listOpt(ZQ_FIELD(limits.subscriber_types)));
        add(tr, "max_flavors_per_page",
            intOpt(ZQ_FIELD(limits.max_flavors_per_page), 1, INT64_MAX));
        add(tr, "max_pools_per_page", intOpt(ZQ_FIELD(limits.max_pools_per_page), 1, INT64_MAX));
        add(tr, "client_id_uuid_safe", [](Config& c, const std::string& value, std::string& why) {
            if (value != "strict" && value != "off") {
                why = "expected one of: 'strict' 'off'";
                return false;
            }
            c.limits.client_id_uuid_safe_strict = value == "strict";
            return true;
        });
        add(tr, "min_length_client_id",
            intOpt(ZQ_FIELD(limits.min_length_client_id), 0, INT64_MAX));
        add(tr, "max_length_client_id",
            intOpt(ZQ_FIELD(limits.max_length_client_id), 0, INT64_MAX));
        add(tr, "message_delete_with_claim_id",
            boolOpt(ZQ_FIELD(limits.message_delete_with_claim_id)));
        add(tr, "message_encryption_algorithms",
            choiceOpt(ZQ_FIELD(message_encryption_algorithms), {"AES256"}));
        add(tr, "message_encryption_key",
            [](Config& c, const std::string& value, std::string& why) {
                if (value.empty()) {
                    why = "must not be empty";
                    return false;
                }
                c.message_encryption_key = value;
                c.message_encryption_key_set = true;
                return true;
            });

        add("signed_url", "secret_key", strOpt(ZQ_FIELD(signed_url_secret_key)));

        const std::string n = "notification";
        add(n, "smtp_mode",
            choiceOpt(ZQ_FIELD(notification.smtp_mode), {"third_part", "self_local"}));
        add(n, "smtp_host", strOpt(ZQ_FIELD(notification.smtp_host)));
        add(n, "smtp_port", portOpt(ZQ_FIELD(notification.smtp_port)));
        add(n, "smtp_user_name", strOpt(ZQ_FIELD(notification.smtp_user_name)));
        add(n, "smtp_user_password", strOpt(ZQ_FIELD(notification.smtp_user_password)));
        add(n, "smtp_command", strOpt(ZQ_FIELD(notification.smtp_command)));
        add(n, "smtp_starttls",
            choiceOpt(ZQ_FIELD(notification.smtp_starttls), {"required", "when-offered", "off"}));
        add(n, "smtp_ca_file", strOpt(ZQ_FIELD(notification.smtp_ca_file)));
        add(n, "max_notifier_workers", intOpt(ZQ_FIELD(notification.max_notifier_workers), 1));
        add(n, "require_confirmation", boolOpt(ZQ_FIELD(notification.require_confirmation)));
        add(n, "external_confirmation_url",
            strOpt(ZQ_FIELD(notification.external_confirmation_url)));
        add(n, "subscription_confirmation_email_template",
            dictOpt(ZQ_FIELD(notification.subscription_confirmation_email_template)));
        add(n, "unsubscribe_confirmation_email_template",
            dictOpt(ZQ_FIELD(notification.unsubscribe_confirmation_email_template)));

        const std::string noStages = "zaqard has no storage pipeline stages (leave it empty)";
        add("storage", "queue_pipeline", refused(noStages, isEmptyList));
        add("storage", "message_pipeline",
            [](Config& c, const std::string& value, std::string& why) {
                for (const auto& stage : parseList(value)) {
                    if (stage != "zaqar.notification.notifier") {
                        why =
                            "not supported by zaqard: the only message pipeline stage is "
                            "zaqar.notification.notifier";
                        return false;
                    }
                }
                c.message_pipeline = parseList(value);
                return true;
            });
        add("storage", "claim_pipeline", refused(noStages, isEmptyList));
        add("storage", "subscription_pipeline", refused(noStages, isEmptyList));
        add("storage", "topic_pipeline", refused(noStages, isEmptyList));

        add("pooling:catalog", "enable_virtual_pool", boolOpt(ZQ_FIELD(enable_virtual_pool)));

        add("cors", "allowed_origin", listOpt(ZQ_FIELD(cors.allowed_origin)));
        add("cors", "allow_credentials", boolOpt(ZQ_FIELD(cors.allow_credentials)));
        add("cors", "max_age", intOpt(ZQ_FIELD(cors.max_age), 0));
        add("cors", "allow_methods", listOpt(ZQ_FIELD(cors.allow_methods)));
        add("cors", "allow_headers", listOpt(ZQ_FIELD(cors.allow_headers)));
        add("cors", "expose_headers", listOpt(ZQ_FIELD(cors.expose_headers)));

        add("oslo_policy", "policy_file", strOpt(ZQ_FIELD(policy_file)));
        add("oslo_policy", "policy_dirs", listOpt(ZQ_FIELD(policy_dirs)));
        const std::string noScope = "zaqard's policy rules have no scope types or new defaults";
        add("oslo_policy", "enforce_scope", refused(noScope, isFalse));
        add("oslo_policy", "enforce_new_defaults", refused(noScope, isFalse));

        // oslo.cache and OSProfiler: zaqard has neither; off is what it does.
        add("cache", "enabled", refused("zaqard has no oslo.cache layer", isFalse));
        add("cache", "backend", refused("zaqard has no oslo.cache layer", [](const std::string& v) {
                return v == "dogpile.cache.null";
            }));
        add("profiler", "enabled", refused("zaqard has no OSProfiler tracing", isFalse));
        // The user trust+http(s) subscriptions delegate to (docs/security.md).
        const std::string trustee = "trustee";
        add(trustee, "auth_type", choiceOpt(ZQ_FIELD(trustee_options.auth_type), {"password"}));
        add(trustee, "auth_url", strOpt(ZQ_FIELD(trustee_options.auth_url)));
        add(trustee, "username", strOpt(ZQ_FIELD(trustee_options.username)));
        add(trustee, "password", strOpt(ZQ_FIELD(trustee_options.password)));
        add(trustee, "user_domain_name", strOpt(ZQ_FIELD(trustee_options.user_domain_name)));
        add(trustee, "project_name", strOpt(ZQ_FIELD(trustee_options.project_name)));
        add(trustee, "project_domain_name", strOpt(ZQ_FIELD(trustee_options.project_domain_name)));

        const std::string z = "zaqard";
        add(z, "log_format", choiceOpt(ZQ_FIELD(log_format), {"text", "json"}));
        add(z, "shards", intOpt(ZQ_FIELD(shards), 0, 1024));
        add(z, "metrics_top_queues", intOpt(ZQ_FIELD(metrics_top_queues), 0, 100));
        add(z, "redis_slow_call_ms", intOpt(ZQ_FIELD(redis_slow_call_ms), 0, 3600000));
        add(z, "redis_timeout", floatOpt(ZQ_FIELD(redis_timeout), 0));
        add(z, "redis_wait_replicas", intOpt(ZQ_FIELD(redis_wait_replicas), 0, 1000));
        add(z, "redis_wait_timeout", floatOpt(ZQ_FIELD(redis_wait_timeout), 0));
        add(z, "redis_coalesce", boolOpt(ZQ_FIELD(redis_coalesce)));
        add(z, "sweep_interval", floatOpt(ZQ_FIELD(sweep_interval), 0));
        add(z, "notification_poll_interval", floatOpt(ZQ_FIELD(notification_poll_interval), 0));
        add(z, "notification_claim_idle", floatOpt(ZQ_FIELD(notification_claim_idle), 0));
        add(z, "max_requests_per_wakeup", intOpt(ZQ_FIELD(max_requests_per_wakeup), 1, 1024));
        add(z, "max_body_size", intOpt(ZQ_FIELD(max_body_size), 1024));
        add(z, "websocket_max_output_bytes",
            intOpt(ZQ_FIELD(websocket_max_output_bytes), 1024, INT64_MAX));
        add(z, "ssl_cert_file", strOpt(ZQ_FIELD(ssl_cert_file)));
        add(z, "ssl_key_file", strOpt(ZQ_FIELD(ssl_key_file)));
        add(z, "ssl_ca_file", strOpt(ZQ_FIELD(ssl_ca_file)));
        add(z, "ssl_port", optionalPortOpt(ZQ_FIELD(ssl_port)));
        add(z, "ssl_websocket_port", optionalPortOpt(ZQ_FIELD(ssl_websocket_port)));
        add(z, "max_header_size", intOpt(ZQ_FIELD(max_header_size), 256, 1 << 24));
        add(z, "http_header_timeout", secondsOpt(ZQ_FIELD(http_header_timeout)));
        add(z, "http_body_timeout", secondsOpt(ZQ_FIELD(http_body_timeout)));
        add(z, "http_idle_timeout", secondsOpt(ZQ_FIELD(http_idle_timeout)));
        add(z, "http_write_timeout", secondsOpt(ZQ_FIELD(http_write_timeout)));
        add(z, "max_connections", intOpt(ZQ_FIELD(max_connections), 0, INT32_MAX));
        add(z, "max_connections_per_client",
            intOpt(ZQ_FIELD(max_connections_per_client), 0, INT32_MAX));
        add(z, "max_wait_seconds", intOpt(ZQ_FIELD(max_wait_seconds), 0, 3600));
        return t;
    }();
    return table;
}

#undef ZQ_FIELD

// Sections kept verbatim for the libraries they configure.
RawSection* rawSection(Config& config, const std::string& section) {
    if (section == "keystone_authtoken") return &config.keystone_authtoken;
    if (section == "trustee") return &config.trustee;
    if (section == "cache") return &config.cache;
    if (section == "profiler") return &config.profiler;
    return nullptr;
}

// Other Zaqar backends' sections: accepted and ignored (their drivers are refused in
// [drivers] if selected).
bool ignoredSection(const std::string& section) {
    static const std::set<std::string> ignored = {
        "drivers:message_store:mongodb",
        "drivers:management_store:mongodb",
        "drivers:management_store:sqlalchemy",
        "drivers:message_store:swift",
        "drivers:storage:mongodb",
        "drivers:storage:sqlalchemy",
    };
    return ignored.count(section) != 0;
}

// oslo.log's [DEFAULT] options: accepted; zaqard logs its own way.
bool osloLogOption(const std::string& name) {
    static const std::set<std::string> names = {"verbose",
                                                "use_syslog",
                                                "use_journal",
                                                "use_json",
                                                "use_eventlog",
                                                "use_stderr",
                                                "log_config_append",
                                                "log_config",
                                                "log_date_format",
                                                "watch_log_file",
                                                "syslog_log_facility",
                                                "logging_context_format_string",
                                                "logging_default_format_string",
                                                "logging_debug_format_suffix",
                                                "logging_exception_prefix",
                                                "logging_user_identity_format",
                                                "default_log_levels",
                                                "publish_errors",
                                                "instance_format",
                                                "instance_uuid_format",
                                                "rate_limit_interval",
                                                "rate_limit_burst",
                                                "rate_limit_except_level",
                                                "fatal_deprecations",
                                                "log_rotation_type",
                                                "log_rotate_interval",
                                                "log_rotate_interval_type",
                                                "max_logfile_count",
                                                "max_logfile_size_mb",
                                                "host",
                                                "config_file",
                                                "config_dir"};
    return names.count(name) != 0;
}

bool sameRedis(const RedisUri& a, const RedisUri& b) {
    return a.host == b.host && a.port == b.port && a.socketPath == b.socketPath &&
           a.username == b.username && a.password == b.password && a.db == b.db &&
           a.sentinels == b.sentinels && a.masterName == b.masterName &&
           a.sentinelUsername == b.sentinelUsername && a.sentinelPassword == b.sentinelPassword &&
           a.cluster == b.cluster && a.clusterNodes == b.clusterNodes && a.tls == b.tls;
}

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

std::string displaySection(const std::string& section) {
    return section == "default" ? "DEFAULT" : section;
}

struct Gathered {
    std::map<Key, std::string> values;
    std::map<Key, int> lines;  // line of each key's first appearance
    std::vector<Key> order;    // first appearance, for warnings in file order
    Key last;                  // inih reports continuation lines as repeats of the same key
    int line = 0;              // the line inih is parsing (counted by readLine)
    bool atLineStart = true;
    std::string_view text;  // what is left of the file to read
};

// inih's reader: fgets over the file's text that counts lines, since ini_parse's handler
// is not told the line. A long line comes in several reads; only a read after a newline
// starts a new line.
char* readLine(char* buffer, int size, void* stream) {
    auto& gathered = *static_cast<Gathered*>(stream);
    if (gathered.text.empty() || size < 2) return nullptr;
    size_t take = std::min(gathered.text.size(), static_cast<size_t>(size - 1));
    size_t newline = gathered.text.substr(0, take).find('\n');
    if (newline != std::string_view::npos) take = newline + 1;
    std::memcpy(buffer, gathered.text.data(), take);
    buffer[take] = '\0';
    gathered.text.remove_prefix(take);
    if (gathered.atLineStart) ++gathered.line;
    size_t length = std::strlen(buffer);  // as after fgets: a NUL byte ends the line's text
    gathered.atLineStart = length > 0 && buffer[length - 1] == '\n';
    return buffer;
}

// The whole file: config files are small, and the parser then reads memory only.
bool readFile(const std::string& path, std::string& text) {
    std::FILE* file = std::fopen(path.c_str(), "r");
    if (!file) return false;
    char chunk[65536];
    size_t got;
    while ((got = std::fread(chunk, 1, sizeof chunk, file)) > 0) text.append(chunk, got);
    bool ok = !std::ferror(file);
    std::fclose(file);
    return ok;
}

int onIniValue(void* user, const char* section, const char* name, const char* value) {
    auto& gathered = *static_cast<Gathered*>(user);
    Key key{lower(section), lower(name)};
    std::string text = unquote(value ? value : "");
    auto found = gathered.values.find(key);
    if (found == gathered.values.end()) {
        gathered.order.push_back(key);
        gathered.lines.emplace(key, gathered.line);
        gathered.values.emplace(key, std::move(text));
    } else if (gathered.last == key) {
        found->second += "\n" + text;  // oslo joins continuation lines with newlines
    } else {
        found->second = std::move(text);  // a repeated option: the last one wins
    }
    gathered.last = key;
    return 1;
}

// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
// neighbours ("prot" is one edit from "port") each cost one. Only distances up to `limit`
// matter (a suggestion is a few edits away), so anything farther answers limit + 1 as soon
// as it is certain: a length difference over the limit, or a row whose every cell is over
// it (cells never decrease down the table). Three rolling rows; no allocation per cell.
size_t editDistance(const std::string& a, const std::string& b, size_t limit) {
    const size_t far = limit + 1;
    if ((a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > limit) return far;
    std::vector<size_t> rows(3 * (b.size() + 1));
    size_t* before = rows.data();              // row i - 2
    size_t* previous = before + b.size() + 1;  // row i - 1
    size_t* current = previous + b.size() + 1;
    for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        size_t rowMin = current[0];
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t cost = std::min(previous[j], current[j - 1]) + 1;
            cost = std::min(cost, previous[j - 1] + (a[i - 1] != b[j - 1] ? 1 : 0));
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                cost = std::min(cost, before[j - 2] + 1);
            current[j] = cost;
            rowMin = std::min(rowMin, cost);
        }
        if (rowMin > limit) return far;
        size_t* reused = before;
        before = previous;
        previous = current;
        current = reused;
    }
    return std::min(previous[b.size()], far);
}

// Where problems go: the first one ends loading (start-up), or every one is collected
// (--check-config). Unknown names are warnings at start-up, problems in a check.
struct Reporter {
    std::vector<ConfigProblem>* all = nullptr;  // null: stop at the first problem
    std::string* error = nullptr;
    const Gathered* gathered = nullptr;

    int lineOf(const Key& key) const {
        auto found = gathered->lines.find(key);
        return found == gathered->lines.end() ? 0 : found->second;
    }
    // Returns true when loading goes on.
    bool fail(int line, std::string text) {
        if (!all) {
            *error = std::move(text);
            return false;
        }
        all->push_back({line, std::move(text)});
        return true;
    }
    void unknown(int line, std::string text) {
        if (all)
            all->push_back({line, std::move(text)});
        else
            log::warning("config: " + text + " ignored");
    }
};

std::set<std::string> knownSectionNames() {
    std::set<std::string> sections = {"keystone_authtoken", "trustee", "cache", "profiler"};
    for (const auto& spec : optionTable()) {
        sections.insert(spec.section);
        for (const auto& alias : spec.deprecated) sections.insert(alias.first);
    }
    return sections;
}

}  // namespace

namespace {

// `path` names the text in messages and becomes config.sourceFile.
bool load(const std::string& path, std::string_view text, Config& config, Reporter& report) {
    // oslo's parser has no inline comments ("a;b" is a value) and no line-length limit.
    ini_allow_inline_comments = false;
    ini_use_stack = false;
    ini_allow_realloc = true;
    ini_initial_alloc = 256;
    ini_max_line = 1 << 20;

    Gathered gathered;
    report.gathered = &gathered;
    gathered.text = text;
    int status = ini_parse_stream(&readLine, &gathered, &onIniValue, &gathered);
    if (status != 0) {
        report.fail(status, "syntax error on line " + std::to_string(status));
        return false;
    }

    std::set<Key> consumed;
    std::set<std::string> knownSections;
    for (const auto& spec : optionTable()) {
        knownSections.insert(spec.section);
        Key key{spec.section, spec.name};
        const Key* source = nullptr;
        if (gathered.values.count(key)) source = &key;
        for (const auto& alias : spec.deprecated) {
            knownSections.insert(alias.first);
            if (!gathered.values.count(alias)) continue;
            consumed.insert(alias);
            if (!source) {
                source = &alias;
                if (!report.all)
                    log::warning("config: [" + displaySection(alias.first) + "] " + alias.second +
                                 " is deprecated, use [" + displaySection(spec.section) + "] " +
                                 spec.name);
            }
        }
        if (!source) continue;
        consumed.insert(*source);
        const std::string& value = gathered.values.at(*source);
        std::string why;
        if (!spec.set(config, value, why)) {
            if (!report.fail(report.lineOf(*source), "[" + displaySection(source->first) + "] " +
                                                         source->second + ": invalid value '" +
                                                         value + "': " + why))
                return false;
        }
    }

    for (const auto& key : gathered.order) {
        if (consumed.count(key)) continue;
        const auto& [section, name] = key;
        if (section.rfind("cors.", 0) == 0) {  // oslo's deprecated per-origin blocks
            if (!report.fail(report.lineOf(key),
                             "[" + section + "] " + name +
                                 ": not supported by zaqard: list the origin in [cors] "
                                 "allowed_origin (oslo's [cors.<name>] sections are deprecated)"))
                return false;
            continue;
        }
        if (RawSection* raw = rawSection(config, section)) {
            (*raw)[name] = gathered.values.at(key);
        } else if (ignoredSection(section) || (section == "default" && osloLogOption(name))) {
            continue;
        } else if (knownSections.count(section)) {
            std::string text = "unknown option '" + name + "' in [" + displaySection(section) + "]";
            if (report.all) {
                auto guess = suggestOption(section, name);
                if (!guess.empty()) text += " (did you mean '" + guess + "'?)";
            }
            report.unknown(report.lineOf(key), std::move(text));
        } else {
            std::string text = "unknown section [" + section + "] (option '" + name + "')";
            if (report.all) {
                auto guess = suggestSection(section);
                if (!guess.empty()) text += " (did you mean [" + guess + "]?)";
            }
            report.unknown(report.lineOf(key), std::move(text));
        }
    }

    // oslo.log: log_dir joins log_file; log_dir alone names a file after the program.
    if (!config.log_dir.empty()) {
        if (config.log_file.empty())
            config.log_file = config.log_dir + "/zaqard.log";
        else if (config.log_file.front() != '/')
            config.log_file = config.log_dir + "/" + config.log_file;
    }
    if (config.limits.min_length_client_id > config.limits.max_length_client_id) {
        if (!report.fail(report.lineOf({"transport", "min_length_client_id"}),
                         "[transport] min_length_client_id: invalid value '" +
                             std::to_string(config.limits.min_length_client_id) +
                             "': greater than max_length_client_id"))
            return false;
    }
    if (!config.pooling && !sameRedis(config.management_store_redis, config.message_store_redis)) {
        if (!report.fail(
                report.lineOf({"drivers:management_store:redis", "uri"}),
                "[drivers:management_store:redis] uri: invalid value '" +
                    config.management_store_redis.original +
                    "': not supported by zaqard: without [DEFAULT] pooling the management data "
                    "lives in the message store's Redis, so it must name the same server as "
                    "[drivers:message_store:redis] uri"))
            return false;
    }
    // Options that only take effect together: refused rather than silently unused.
    const NotificationOptions& n = config.notification;
    if (n.smtp_mode == "self_local" && n.smtp_host.empty()) {
        if (!report.fail(report.lineOf({"notification", "smtp_mode"}),
                         "[notification] smtp_host: must be set when smtp_mode = self_local (the "
                         "relay zaqard sends mail through)"))
            return false;
    }
    if (!n.smtp_user_password.empty() && n.smtp_user_name.empty()) {
        if (!report.fail(report.lineOf({"notification", "smtp_user_password"}),
                         "[notification] smtp_user_password: set without smtp_user_name (zaqard "
                         "logs in to the relay only with both)"))
            return false;
    }
    // TLS options only take effect together (the files themselves are read at start-up,
    // src/tls/server_tls.cpp, so a bad file is an error there, naming its option).
    auto tlsProblem = [&](const char* name, const std::string& why) {
        return report.fail(report.lineOf({"zaqard", name}),
                           "[zaqard] " + std::string(name) + ": " + why);
    };
    if (config.ssl_cert_file.empty() != config.ssl_key_file.empty()) {
        const char* missing = config.ssl_cert_file.empty() ? "ssl_cert_file" : "ssl_key_file";
        const char* given = config.ssl_cert_file.empty() ? "ssl_key_file" : "ssl_cert_file";
        if (!tlsProblem(missing, std::string("must be set together with ") + given)) return false;
    }
    if (!config.ssl_cert_file.empty() && config.ssl_port < 0 && config.ssl_websocket_port < 0) {
        if (!tlsProblem("ssl_cert_file",
                        "set, but neither ssl_port nor ssl_websocket_port names a TLS listener"))
            return false;
    }
    if (config.ssl_cert_file.empty()) {
        const std::pair<const char*, bool> needCert[] = {
            {"ssl_port", config.ssl_port >= 0},
            {"ssl_websocket_port", config.ssl_websocket_port >= 0},
            {"ssl_ca_file", !config.ssl_ca_file.empty()}};
        for (const auto& [option, set] : needCert)
            if (set && !tlsProblem(option, "needs ssl_cert_file and ssl_key_file")) return false;
    }
    std::string keystoneError;
    if (!applyKeystoneOptions(config, keystoneError) && !report.fail(0, keystoneError))
        return false;
    config.sourceFile = path;
    return !report.all || report.all->empty();
}

}  // namespace

bool loadConfigFile(const std::string& path, Config& config, std::string& error) {
    std::string text;
    if (!readFile(path, text)) {
        error = "cannot open " + path;
        return false;
    }
    return loadConfigText(path, text, config, error);
}

bool loadConfigText(const std::string& name, std::string_view text, Config& config,
                    std::string& error) {
    Reporter report;
    report.error = &error;
    return load(name, text, config, report);
}

std::vector<ConfigProblem> checkConfigFile(const std::string& path) {
    std::string text;
    if (!readFile(path, text)) return {{0, "cannot open " + path}};
    return checkConfigText(path, text);
}

std::vector<ConfigProblem> checkConfigText(const std::string& name, std::string_view text) {
    std::vector<ConfigProblem> problems;
    Config config;
    Reporter report;
    report.all = &problems;
    load(name, text, config, report);
    // In file order; problems without a line (rules across options) last.
    std::stable_sort(problems.begin(), problems.end(), [](const auto& a, const auto& b) {
        auto rank = [](int line) { return line > 0 ? line : INT32_MAX; };
        return rank(a.line) < rank(b.line);
    });
    return problems;
}

std::string suggestOption(const std::string& section, const std::string& name) {
    std::vector<std::string> names;
    for (const auto& spec : optionTable()) {
        if (spec.section == section) names.push_back(spec.name);
        for (const auto& alias : spec.deprecated)
            if (alias.first == section) names.push_back(alias.second);
    }
    return closest(lower(name), names);
}

std::string suggestSection(const std::string& section) {
    static const std::vector<std::string> names = [] {
        auto known = knownSectionNames();
        return std::vector<std::string>(known.begin(), known.end());
    }();
    std::string guess = closest(lower(section), names);
    return guess.empty() ? guess : displaySection(guess);
}

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
    // A misspelling: a few edits, and fewer than a third of the word (so "x" does not
    // suggest "bind").
    size_t limit = std::max<size_t>(1, std::min<size_t>(3, word.size() / 3));
    std::string best;
    size_t bestDistance = limit + 1;
    for (const auto& candidate : candidates) {
        // Only a strictly closer candidate can win: bound the search by the best so far.
        size_t distance = editDistance(word, candidate, bestDistance - 1);
        if (distance < bestDistance) {
            best = candidate;
            bestDistance = distance;
            if (distance == 0) break;
        }
    }
    return best;
}

std::string formatProblem(const std::string& path, const ConfigProblem& problem) {
    if (problem.line > 0) return path + ":" + std::to_string(problem.line) + ": " + problem.text;
    return path + ": " + problem.text;
}

}  // namespace zaqard::config
