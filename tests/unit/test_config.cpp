// zaqar.conf loading: value syntax, sections and option names, deprecated aliases, errors,
// the Redis URI forms, and the config file search.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "src/config/config_loader.h"
#include "src/config/config_values.h"

namespace zaqard::config {
namespace {

namespace fs = std::filesystem;

class TempDir {
  public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "zaqard-config-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TempDir() { fs::remove_all(path_); }
    std::string write(const std::string& name, const std::string& text) const {
        fs::path file = path_ / name;
        fs::create_directories(file.parent_path());
        std::ofstream(file) << text;
        return file.string();
    }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

bool load(const std::string& text, Config& config, std::string& error) {
    TempDir dir;
    return loadConfigFile(dir.write("zaqar.conf", text), config, error);
}

Config loadOk(const std::string& text) {
    Config config;
    std::string error;
    EXPECT_TRUE(load(text, config, error)) << error;
    return config;
}

std::string loadError(const std::string& text) {
    Config config;
    std::string error;
    EXPECT_FALSE(load(text, config, error));
    return error;
}

TEST(ConfigValues, BooleansAsOslo) {
    for (const char* yes : {"true", "True", "TRUE", "yes", "Yes", "1", "on", "ON", " true "})
        EXPECT_EQ(parseBool(yes), true) << yes;
    for (const char* no : {"false", "False", "no", "NO", "0", "off", "Off"})
        EXPECT_EQ(parseBool(no), false) << no;
    for (const char* bad : {"", "t", "y", "2", "enabled", "truee"})
        EXPECT_FALSE(parseBool(bad).has_value()) << bad;
}

TEST(ConfigValues, IntegersAndFloats) {
    EXPECT_EQ(parseInt("42"), 42);
    EXPECT_EQ(parseInt(" -7 "), -7);
    EXPECT_EQ(parseInt("+3"), 3);
    EXPECT_FALSE(parseInt("").has_value());
    EXPECT_FALSE(parseInt("4.2").has_value());
    EXPECT_FALSE(parseInt("12abc").has_value());
    EXPECT_FALSE(parseInt("99999999999999999999").has_value());
    EXPECT_EQ(parseFloat("0.5"), 0.5);
    EXPECT_EQ(parseFloat("2"), 2.0);
    EXPECT_EQ(parseFloat("1e-1"), 0.1);
    EXPECT_FALSE(parseFloat("inf").has_value());
    EXPECT_FALSE(parseFloat("nan").has_value());
    EXPECT_FALSE(parseFloat("0x10").has_value());
    EXPECT_FALSE(parseFloat("fast").has_value());
}

TEST(ConfigValues, ListsAndDicts) {
    EXPECT_EQ(parseList("a, b ,c"), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(parseList(""), std::vector<std::string>{});
    EXPECT_EQ(parseList("http,,https"), (std::vector<std::string>{"http", "https"}));
    auto dict = parseDict("topic:Hello, sender:Zaqar <no-reply@example.org>");
    ASSERT_TRUE(dict.has_value());
    EXPECT_EQ(dict->at("topic"), "Hello");
    EXPECT_EQ(dict->at("sender"), "Zaqar <no-reply@example.org>");
    EXPECT_FALSE(parseDict("novalue").has_value());
    EXPECT_EQ(unquote("  \"quoted value\" "), "quoted value");
    EXPECT_EQ(unquote("'x'"), "x");
    EXPECT_EQ(unquote("\"half"), "\"half");
}

TEST(ConfigLoader, DefaultsWithoutAnyFile) {
    Config config;
    EXPECT_EQ(config.bind, "127.0.0.1");
    EXPECT_EQ(config.port, 8888);
    EXPECT_EQ(config.message_store_redis.host, "127.0.0.1");
    EXPECT_EQ(config.message_store_redis.port, 6379);
    EXPECT_EQ(config.message_store_redis.original, "redis://127.0.0.1:6379");
    EXPECT_EQ(config.management_store_redis.host, "127.0.0.1");
    EXPECT_EQ(config.limits.max_messages_post_size, 262144);
    EXPECT_EQ(config.shards, 0);
}

TEST(ConfigLoader, ReadsZaqarSections) {
    Config config = loadOk(R"(
# a comment
; another comment
[DEFAULT]
admin_mode = True
pooling = yes
enable_checksum = on
debug = 1
auth_strategy = keystone
enable_deprecated_api_versions =
log_file = zaqar.log
log_dir = /var/log/zaqar
use_syslog = false

[drivers]
transport = wsgi
message_store = redis
management_store = redis

[drivers:transport:wsgi]
bind = 0.0.0.0
port = 9999

[drivers:transport:websocket]
bind = ::1
port = 9100
notification_bind = 10.0.0.1
notification_port = 9200

[drivers:message_store:redis]
uri = redis://:secret@redis.example.org:6380?dbid=3&socket_timeout=0.5

[drivers:management_store:redis]
uri = redis://:secret@redis.example.org:6380?dbid=3

[transport]
default_message_ttl = 7200
max_messages_per_page = 15
max_messages_post_size = 1000
subscriber_types = http,https
client_id_uuid_safe = off
min_length_client_id = 5
max_length_client_id = 40
message_delete_with_claim_id = true

[signed_url]
secret_key = "s3cr3t;with;semicolons"

[notification]
require_confirmation = true
smtp_command = /usr/sbin/sendmail -t -oi
subscription_confirmation_email_template = topic:Confirm,body:Please {0},sender:me@example.org

[storage]
message_pipeline = zaqar.notification.notifier

[cors]
allowed_origin = https://a.example.org,https://b.example.org
max_age = 10

[oslo_policy]
policy_file = /etc/zaqar/policy.yaml

[keystone_authtoken]
www_authenticate_uri = http://keystone:5000
memcached_servers = localhost:11211

[profiler]
enabled = false

[pooling:catalog]
enable_virtual_pool = false

[zaqard]
shards = 3
redis_timeout = 1.5
redis_wait_replicas = 2
redis_wait_timeout = 0.25
sweep_interval = 2
max_body_size = 2048
)");
    EXPECT_TRUE(config.admin_mode);
    EXPECT_TRUE(config.pooling);
    EXPECT_TRUE(config.enable_checksum);
    EXPECT_TRUE(config.debug);
    EXPECT_EQ(config.auth_strategy, "keystone");
    EXPECT_EQ(config.log_file, "/var/log/zaqar/zaqar.log");
    EXPECT_EQ(config.bind, "0.0.0.0");
    EXPECT_EQ(config.port, 9999);
    EXPECT_EQ(config.websocket_bind, "::1");
    EXPECT_EQ(config.websocket_port, 9100);
    EXPECT_EQ(config.websocket_notification_bind, "10.0.0.1");
    EXPECT_EQ(config.websocket_notification_port, 9200);
    EXPECT_EQ(config.message_store_redis.host, "redis.example.org");
    EXPECT_EQ(config.message_store_redis.port, 6380);
    EXPECT_EQ(config.message_store_redis.password, "secret");
    EXPECT_EQ(config.message_store_redis.db, 3);
    EXPECT_DOUBLE_EQ(config.message_store_redis.socketTimeout, 0.5);
    EXPECT_EQ(config.management_store_redis.host, "redis.example.org");
    EXPECT_EQ(config.limits.default_message_ttl, 7200);
    EXPECT_EQ(config.limits.max_messages_per_page, 15);
    EXPECT_EQ(config.limits.max_messages_post_size, 1000);
    EXPECT_EQ(config.limits.subscriber_types, (std::vector<std::string>{"http", "https"}));
    EXPECT_FALSE(config.limits.client_id_uuid_safe_strict);
    EXPECT_EQ(config.limits.min_length_client_id, 5);
    EXPECT_EQ(config.limits.max_length_client_id, 40);
    EXPECT_TRUE(config.limits.message_delete_with_claim_id);
    EXPECT_EQ(config.signed_url_secret_key, "s3cr3t;with;semicolons");
    EXPECT_TRUE(config.notification.require_confirmation);
    EXPECT_EQ(config.notification.smtp_command, "/usr/sbin/sendmail -t -oi");
    EXPECT_EQ(config.notification.subscription_confirmation_email_template.at("body"),
              "Please {0}");
    EXPECT_EQ(config.message_pipeline, (std::vector<std::string>{"zaqar.notification.notifier"}));
    EXPECT_EQ(config.cors.allowed_origin.size(), 2u);
    EXPECT_EQ(config.cors.max_age, 10);
    EXPECT_EQ(config.policy_file, "/etc/zaqar/policy.yaml");
    EXPECT_EQ(config.keystone_authtoken.at("www_authenticate_uri"), "http://keystone:5000");
    EXPECT_EQ(config.shards, 3);
    EXPECT_DOUBLE_EQ(config.redis_timeout, 1.5);
    EXPECT_EQ(config.redis_wait_replicas, 2);
    EXPECT_DOUBLE_EQ(config.redis_wait_timeout, 0.25);
    EXPECT_DOUBLE_EQ(config.sweep_interval, 2.0);
    EXPECT_EQ(config.max_body_size, 2048);
    EXPECT_FALSE(config.sourceFile.empty());
}

TEST(ConfigLoader, DeprecatedAliasesApplyOnlyWithoutTheCurrentName) {
    Config config = loadOk(R"(
[DEFAULT]
sharding = true
[limits:transport]
queue_paging_uplimit = 7
message_paging_uplimit = 8
metadata_size_uplimit = 1024
claim_ttl_max = 600
[transport]
max_messages_per_claim = 5
max_message_size = 4096
max_messages_per_page = 11
[drivers:storage:redis]
uri = redis://old-host:6390
)");
    EXPECT_TRUE(config.pooling);
    EXPECT_EQ(config.limits.max_queues_per_page, 7);
    EXPECT_EQ(config.limits.max_messages_per_page, 11);  // the current name wins
    EXPECT_EQ(config.limits.max_queue_metadata, 1024);
    EXPECT_EQ(config.limits.max_claim_ttl, 600);
    EXPECT_EQ(config.limits.max_messages_per_claim_or_pop, 5);
    EXPECT_EQ(config.limits.max_messages_post_size, 4096);
    EXPECT_EQ(config.message_store_redis.host, "old-host");
    EXPECT_EQ(config.management_store_redis.host, "old-host");
}

TEST(ConfigLoader, UnknownSectionsAndOptionsAreNotFatal) {
    Config config = loadOk(R"(
[DEFAULT]
no_such_option = 1
[drivers:transport:websocket]
notification-bind = 1.2.3.4
[no_such_section]
x = y
[drivers:message_store:mongodb]
uri = mongodb://localhost
)");
    EXPECT_EQ(config.websocket_notification_bind, "");  // dashed spelling is ignored
}

TEST(ConfigLoader, BadValuesNameSectionOptionAndValue) {
    std::string error = loadError("[DEFAULT]\nadmin_mode = maybe\n");
    EXPECT_NE(error.find("[DEFAULT] admin_mode"), std::string::npos) << error;
    EXPECT_NE(error.find("maybe"), std::string::npos) << error;

    error = loadError("[drivers:transport:wsgi]\nport = 70000\n");
    EXPECT_NE(error.find("[drivers:transport:wsgi] port"), std::string::npos) << error;
    EXPECT_NE(error.find("70000"), std::string::npos) << error;

    error = loadError("[transport]\nmax_messages_per_page = ten\n");
    EXPECT_NE(error.find("[transport] max_messages_per_page"), std::string::npos) << error;

    error = loadError("[limits:transport]\nqueue_paging_uplimit = x\n");
    EXPECT_NE(error.find("[limits:transport] queue_paging_uplimit"), std::string::npos) << error;

    error = loadError("[drivers:message_store:redis]\nuri = mongodb://localhost\n");
    EXPECT_NE(error.find("[drivers:message_store:redis] uri"), std::string::npos) << error;
    EXPECT_NE(error.find("Invalid scheme in Redis URI"), std::string::npos) << error;

    error = loadError("[transport]\nclient_id_uuid_safe = maybe\n");
    EXPECT_NE(error.find("client_id_uuid_safe"), std::string::npos) << error;

    error = loadError("[DEFAULT]\nauth_strategy = ldap\n");
    EXPECT_NE(error.find("auth_strategy"), std::string::npos) << error;

    error = loadError("[zaqard]\nredis_timeout = 0\n");
    EXPECT_NE(error.find("[zaqard] redis_timeout"), std::string::npos) << error;
    error = loadError("[zaqard]\nredis_wait_replicas = -1\n");
    EXPECT_NE(error.find("[zaqard] redis_wait_replicas"), std::string::npos) << error;
    error = loadError("[zaqard]\nredis_wait_timeout = 0\n");
    EXPECT_NE(error.find("[zaqard] redis_wait_timeout"), std::string::npos) << error;

    error = loadError("this line is not ini\n");
    EXPECT_NE(error.find("line 1"), std::string::npos) << error;
}

TEST(ConfigLoader, OtherStoresAreRefusedClearly) {
    std::string error = loadError("[drivers]\nmessage_store = mongodb\n");
    EXPECT_NE(error.find("[drivers] message_store"), std::string::npos) << error;
    EXPECT_NE(error.find("mongodb"), std::string::npos) << error;
    EXPECT_NE(error.find("redis"), std::string::npos) << error;
    error = loadError("[drivers]\nmanagement_store = sqlalchemy\n");
    EXPECT_NE(error.find("[drivers] management_store"), std::string::npos) << error;
    error = loadError("[drivers]\nstorage = mongodb\n");
    EXPECT_NE(error.find("[drivers] storage"), std::string::npos) << error;
}

// Options with nothing behind them stop start-up, naming the option; the value that says
// what zaqard does anyway (false, an empty list) is accepted.
TEST(ConfigLoader, OptionsWithNothingBehindThemAreRefused) {
    for (const char* text : {
             "[DEFAULT]\nunreliable = false\n",
             "[DEFAULT]\nenable_deprecated_api_versions = 1.1\n",
             "[drivers:transport:websocket]\nexternal_port = 443\n",
             "[drivers:message_store:redis]\nmax_reconnect_attempts = 3\n",
             "[drivers:storage:redis]\nreconnect_sleep = 3\n",
             "[drivers:management_store:redis]\nuri = redis://other-host:6379\n",
             "[storage]\nqueue_pipeline = my.stage\n",
             "[storage]\nmessage_pipeline = zaqar.notification.notifier,my.stage\n",
             "[oslo_policy]\nenforce_scope = true\n",
             "[cache]\nenabled = true\n",
             "[profiler]\nenabled = true\n",
             "[cors.horizon]\nallowed_origin = https://h.example\n",
         }) {
        std::string text_(text);
        std::string name = text_.substr(text_.find('\n') + 1);
        name = name.substr(0, name.find(' '));
        std::string error = loadError(text);
        EXPECT_NE(error.find(name), std::string::npos) << text << " -> " << error;
        EXPECT_NE(error.find("not supported by zaqard"), std::string::npos) << error;
    }
    Config config = loadOk(
        "[DEFAULT]\nenable_deprecated_api_versions =\n[storage]\nqueue_pipeline =\n"
        "[pooling:catalog]\nenable_virtual_pool = false\n[oslo_policy]\nenforce_scope = no\n"
        "[cache]\nenabled = false\nbackend = dogpile.cache.null\n[profiler]\nenabled = false\n"
        "[drivers:management_store:redis]\nuri = redis://127.0.0.1\n");
    EXPECT_EQ(config.management_store_redis.port, 6379);
    // With pooling the management store is a server of its own (pools, flavors, catalog).
    Config pooled = loadOk(
        "[DEFAULT]\npooling = true\n[drivers:management_store:redis]\nuri = "
        "redis://other-host:6380\n[pooling:catalog]\nenable_virtual_pool = true\n"
        "[transport]\nmax_pools_per_page = 7\n");
    EXPECT_EQ(pooled.management_store_redis.port, 6380);
    EXPECT_TRUE(pooled.enable_virtual_pool);
    EXPECT_EQ(pooled.limits.max_pools_per_page, 7);
}

TEST(ConfigLoader, LongLinesAndRepeats) {
    std::string longKey(5000, 'k');
    Config config = loadOk("[signed_url]\nsecret_key = " + longKey + "\n[DEFAULT]\nport = 1\n" +
                           "[drivers:transport:wsgi]\nport = 1000\nbind = a\nport = 2000\n");
    EXPECT_EQ(config.signed_url_secret_key, longKey);
    EXPECT_EQ(config.port, 2000);  // the last occurrence wins
}

TEST(ConfigLoader, MissingFile) {
    Config config;
    std::string error;
    EXPECT_FALSE(loadConfigFile("/nonexistent/zaqar.conf", config, error));
    EXPECT_NE(error.find("/nonexistent/zaqar.conf"), std::string::npos);
}

TEST(ConfigLoader, LogDirAlone) {
    Config config = loadOk("[DEFAULT]\nlog_dir = /tmp/logs\n");
    EXPECT_EQ(config.log_file, "/tmp/logs/zaqard.log");
    config = loadOk("[DEFAULT]\nlog_dir = /tmp/logs\nlog_file = /abs.log\n");
    EXPECT_EQ(config.log_file, "/abs.log");
}

RedisUri parseOk(const std::string& text) {
    RedisUri uri;
    std::string error;
    EXPECT_TRUE(parseRedisUri(text, uri, error)) << text << ": " << error;
    return uri;
}

std::string parseError(const std::string& text) {
    RedisUri uri;
    std::string error;
    EXPECT_FALSE(parseRedisUri(text, uri, error)) << text;
    return error;
}

TEST(RedisUri, TcpForms) {
    RedisUri uri = parseOk("redis://localhost");
    EXPECT_EQ(uri.host, "localhost");
    EXPECT_EQ(uri.port, 6379);
    EXPECT_EQ(uri.password, "");
    EXPECT_EQ(uri.db, 0);
    EXPECT_DOUBLE_EQ(uri.socketTimeout, 0.1);
    EXPECT_TRUE(uri.socketPath.empty());

    uri = parseOk("redis://Example.ORG:6380/");
    EXPECT_EQ(uri.host, "example.org");
    EXPECT_EQ(uri.port, 6380);

    uri = parseOk("redis://:pw@h");
    EXPECT_EQ(uri.password, "pw");
    EXPECT_EQ(uri.username, "");
    uri = parseOk("redis://pw@h:1234");
    EXPECT_EQ(uri.password, "pw");
    EXPECT_EQ(uri.port, 1234);
    uri = parseOk("redis://user:pw@h");
    EXPECT_EQ(uri.username, "user");
    EXPECT_EQ(uri.password, "pw");
    uri = parseOk("redis://p@ss@h");
    EXPECT_EQ(uri.password, "p@ss");
    EXPECT_EQ(uri.host, "h");

    uri = parseOk("redis://h?dbid=5&socket_timeout=2.5");
    EXPECT_EQ(uri.db, 5);
    EXPECT_DOUBLE_EQ(uri.socketTimeout, 2.5);

    uri = parseOk("redis://[::1]:6390");
    EXPECT_EQ(uri.host, "::1");
    EXPECT_EQ(uri.port, 6390);
    EXPECT_EQ(uri.original, "redis://[::1]:6390");
}

TEST(RedisUri, UnixSocketForms) {
    RedisUri uri = parseOk("redis:/var/run/redis.sock");
    EXPECT_EQ(uri.socketPath, "/var/run/redis.sock");
    EXPECT_EQ(uri.host, "");
    uri = parseOk("redis:///var/run/redis.sock?dbid=2");
    EXPECT_EQ(uri.socketPath, "/var/run/redis.sock");
    EXPECT_EQ(uri.db, 2);
    uri = parseOk("redis:pw@/var/run/redis.sock");
    EXPECT_EQ(uri.socketPath, "/var/run/redis.sock");
    EXPECT_EQ(uri.password, "pw");
}

TEST(RedisUri, SentinelForms) {
    RedisUri uri = parseOk("redis://s1,s2:26380,s3?master=mymaster");
    ASSERT_EQ(uri.sentinels.size(), 3u);
    EXPECT_EQ(uri.sentinels[0], (std::pair<std::string, int>{"s1", 26379}));
    EXPECT_EQ(uri.sentinels[1], (std::pair<std::string, int>{"s2", 26380}));
    EXPECT_EQ(uri.masterName, "mymaster");
    uri = parseOk("redis://pw@s1:26379?master=m&socket_timeout=1");
    EXPECT_EQ(uri.password, "pw");
    ASSERT_EQ(uri.sentinels.size(), 1u);
    EXPECT_EQ(uri.masterName, "m");
    EXPECT_TRUE(uri.socketTimeoutSet);
    EXPECT_FALSE(parseOk("redis://h").socketTimeoutSet);
    // Newer Zaqar's sentinel credentials (sentinel_kwargs); the netloc password is the master's.
    uri =
        parseOk("redis://u:masterpw@s1,s2?master=m&sentinel_username=su&sentinel_password=s%40pw");
    EXPECT_EQ(uri.username, "u");
    EXPECT_EQ(uri.password, "masterpw");
    EXPECT_EQ(uri.sentinelUsername, "su");
    EXPECT_EQ(uri.sentinelPassword, "s@pw");
}

TEST(RedisUri, ClusterFormParses) {
    RedisUri uri = parseOk("redis://:pw@h1:7000,h2:7001,h3?cluster=true");
    EXPECT_TRUE(uri.cluster);
    ASSERT_EQ(uri.clusterNodes.size(), 3u);
    EXPECT_EQ(uri.clusterNodes[0], (std::pair<std::string, int>{"h1", 7000}));
    EXPECT_EQ(uri.clusterNodes[2], (std::pair<std::string, int>{"h3", 6379}));
    EXPECT_EQ(uri.password, "pw");
    EXPECT_FALSE(parseOk("redis://h1:7000?cluster=false").cluster);
    EXPECT_NE(parseError("redis://h1?cluster=maybe").find("cluster"), std::string::npos);
    EXPECT_NE(parseError("redis://h1,h2?cluster=true&master=m").find("cluster"), std::string::npos);
}

TEST(RedisUri, RedissFormParsesRedisPyTlsOptions) {
    RedisUri uri = parseOk(
        "rediss://:pw@h:6380?ssl_ca_certs=/c/ca.pem&ssl_certfile=/c/c.pem&ssl_keyfile=/c/k.pem"
        "&ssl_cert_reqs=none&ssl_check_hostname=false&ssl_server_hostname=r.example&dbid=2");
    EXPECT_TRUE(uri.tls);
    EXPECT_EQ(uri.host, "h");
    EXPECT_EQ(uri.port, 6380);
    EXPECT_EQ(uri.db, 2);
    EXPECT_EQ(uri.tlsCaFile, "/c/ca.pem");
    EXPECT_EQ(uri.tlsCertFile, "/c/c.pem");
    EXPECT_EQ(uri.tlsKeyFile, "/c/k.pem");
    EXPECT_EQ(uri.tlsCertReqs, "none");
    EXPECT_FALSE(uri.tlsCheckHostname);
    EXPECT_EQ(uri.tlsServerName, "r.example");
    EXPECT_FALSE(parseOk("redis://h").tls);
    EXPECT_TRUE(parseOk("REDISS://h").tlsCheckHostname);  // verified by default
    EXPECT_TRUE(parseOk("rediss://s1,s2?master=m").tls);
    EXPECT_TRUE(parseOk("rediss://h1,h2?cluster=true").tls);
    EXPECT_NE(parseError("redis://h?ssl_ca_certs=/x").find("rediss://"), std::string::npos);
    EXPECT_NE(parseError("rediss://h?ssl_certfile=/x").find("ssl_keyfile"), std::string::npos);
    EXPECT_NE(parseError("rediss://h?ssl_cert_reqs=x").find("ssl_cert_reqs"), std::string::npos);
    EXPECT_NE(parseError("rediss://h?ssl_check_hostname=x").find("ssl_check_hostname"),
              std::string::npos);
    EXPECT_NE(parseError("rediss:/tmp/r.sock").find("unix socket"), std::string::npos);
}

TEST(RedisUri, DocumentedErrors) {
    EXPECT_EQ(parseError("http://localhost"), "Invalid scheme in Redis URI");
    EXPECT_EQ(parseError("localhost:6379"), "Invalid scheme in Redis URI");
    EXPECT_EQ(parseError(""), "Invalid scheme in Redis URI");
    EXPECT_NE(parseError("redis://h1,h2").find("\"master\""), std::string::npos);
    EXPECT_EQ(parseError("redis://h:port"), "The Redis configuration URI contains an invalid port");
    EXPECT_EQ(parseError("redis://h:99999"),
              "The Redis configuration URI contains an invalid port");
    EXPECT_EQ(parseError("redis://s1:x,s2?master=m"),
              "The Redis configuration URI contains an invalid port");
    EXPECT_EQ(parseError("redis://:pw@:6379"), "Missing host name in Redis URI");
    EXPECT_EQ(parseError("redis://"), "Missing path in Redis URI");
    EXPECT_EQ(parseError("redis:"), "Missing path in Redis URI");
    EXPECT_EQ(parseError("redis:///?master=m"),
              "The Redis configuration URI does not define any sentinel hosts");
    EXPECT_NE(parseError("redis://h?dbid=x").find("dbid"), std::string::npos);
    EXPECT_NE(parseError("redis://h?socket_timeout=-1").find("socket_timeout"), std::string::npos);
}

TEST(ConfigFile, SearchOrder) {
    TempDir home;
    const char* oldHome = std::getenv("HOME");
    std::string saved = oldHome ? oldHome : "";
    ::setenv("HOME", home.path().c_str(), 1);

    std::string explicitFile = home.write("custom.conf", "[DEFAULT]\n");
    EXPECT_EQ(findConfigFile(explicitFile), explicitFile);
    EXPECT_FALSE(findConfigFile((home.path() / "missing.conf").string()).has_value());

    std::string userFile = home.write(".zaqar/zaqar.conf", "[DEFAULT]\n");
    EXPECT_EQ(findConfigFile(""), userFile);
    fs::remove(userFile);
    auto fallback = findConfigFile("");
    if (fs::exists("/etc/zaqar/zaqar.conf"))
        EXPECT_EQ(fallback, "/etc/zaqar/zaqar.conf");
    else
        EXPECT_FALSE(fallback.has_value());

    if (oldHome)
        ::setenv("HOME", saved.c_str(), 1);
    else
        ::unsetenv("HOME");
}

// Options that only work together are refused alone, naming the option.
TEST(ConfigLoader, SmtpOptionsThatNeedTheirPartnerAreRefused) {
    std::string error = loadError("[notification]\nsmtp_mode = self_local\n");
    EXPECT_NE(error.find("[notification] smtp_host"), std::string::npos) << error;
    error = loadError(
        "[notification]\nsmtp_mode = self_local\nsmtp_host = relay\nsmtp_user_password = pw\n");
    EXPECT_NE(error.find("[notification] smtp_user_password"), std::string::npos) << error;
    Config config;
    EXPECT_TRUE(
        load("[notification]\nsmtp_mode = self_local\nsmtp_host = relay\n"
             "smtp_user_name = u\nsmtp_user_password = pw\n",
             config, error))
        << error;
}

}  // namespace
}  // namespace zaqard::config
