// parseRedisUri: the URI forms Zaqar's Redis driver accepts (storage/redis/driver.py
// ConnectionURI), with its error texts, minus its bugs: ":password@" and "user:password@"
// are understood, a password may contain '@', and bad numbers are errors, not crashes.
#include <cctype>
#include <string>
#include <string_view>

#include "src/config/config_loader.h"
#include "src/config/config_values.h"

namespace zaqard::config {

namespace {

constexpr int kRedisDefaultPort = 6379;
constexpr int kSentinelDefaultPort = 26379;

constexpr const char* kInvalidPort = "The Redis configuration URI contains an invalid port";

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// urllib's unquote_plus, for query values.
std::string decodeQueryPart(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out.push_back(' ');
        } else if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 &&
                   hexValue(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2])));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

// A port as Python's urlparse reads it: digits only, 0..65535; empty means the default.
bool parsePort(std::string_view text, int defaultPort, int& port) {
    if (text.empty()) {
        port = defaultPort;
        return true;
    }
    if (text.size() > 5) return false;
    int value = 0;
    for (char c : text) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
        value = value * 10 + (c - '0');
    }
    // Port 0 would make Zaqar fall back to 6379 silently; it is a mistake, say so.
    if (value < 1 || value > 65535) return false;
    port = value;
    return true;
}

// Splits "host:port" or "[v6]:port".
bool splitHostPort(std::string_view hostPort, int defaultPort, std::string& host, int& port,
                   std::string& error) {
    std::string_view portText;
    if (!hostPort.empty() && hostPort.front() == '[') {
        size_t close = hostPort.find(']');
        if (close == std::string_view::npos) {
            error = "Missing host name in Redis URI";
            return false;
        }
        host = std::string(hostPort.substr(1, close - 1));
        std::string_view rest = hostPort.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                error = kInvalidPort;
                return false;
            }
            portText = rest.substr(1);
        }
    } else {
        size_t colon = hostPort.find(':');
        host = std::string(hostPort.substr(0, colon));
        if (colon != std::string_view::npos) portText = hostPort.substr(colon + 1);
    }
    for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!parsePort(portText, defaultPort, port)) {
        error = kInvalidPort;
        return false;
    }
    return true;
}

// "h1[:p1],h2[:p2],...": the sentinels of a Sentinel URI, the seed nodes of a cluster URI.
bool parseHostList(std::string_view netloc, int defaultPort,
                   std::vector<std::pair<std::string, int>>& hosts, std::string& error) {
    while (true) {
        size_t comma = netloc.find(',');
        std::string host;
        int port = 0;
        if (!splitHostPort(netloc.substr(0, comma), defaultPort, host, port, error)) return false;
        if (host.empty()) {
            error = "Missing host name in Redis URI";
            return false;
        }
        hosts.emplace_back(std::move(host), port);
        if (comma == std::string_view::npos) return true;
        netloc.remove_prefix(comma + 1);
    }
}

void splitCredentials(std::string_view credentials, RedisUri& uri) {
    size_t colon = credentials.find(':');
    if (colon == std::string_view::npos) {
        uri.password = std::string(credentials);  // redis://password@host (Zaqar's form)
    } else {
        uri.username = std::string(credentials.substr(0, colon));  // empty for ":password@"
        uri.password = std::string(credentials.substr(colon + 1));
    }
}

}  // namespace

bool parseRedisUri(const std::string& text, RedisUri& out, std::string& error) {
    RedisUri uri;
    uri.original = text;
    uri.host.clear();
    uri.port = kRedisDefaultPort;

    std::string_view rest = trim(text);
    size_t colon = rest.find(':');
    std::string scheme(rest.substr(0, colon == std::string_view::npos ? 0 : colon));
    for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (colon == std::string_view::npos || (scheme != "redis" && scheme != "rediss")) {
        error = "Invalid scheme in Redis URI";
        return false;
    }
    uri.tls = scheme == "rediss";
    rest.remove_prefix(colon + 1);
    if (size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);

    std::string_view query;
    if (size_t question = rest.find('?'); question != std::string_view::npos) {
        query = rest.substr(question + 1);
        rest = rest.substr(0, question);
    }
    std::string_view netloc;
    std::string_view path = rest;
    if (rest.substr(0, 2) == "//") {
        rest.remove_prefix(2);
        size_t slash = rest.find('/');
        netloc = rest.substr(0, slash);
        path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    }
    if (size_t at = path.find('@'); at != std::string_view::npos) {
        splitCredentials(path.substr(0, at), uri);  // redis:password@/path/to/redis.sock
        path.remove_prefix(at + 1);
    }
    if (size_t at = netloc.rfind('@'); at != std::string_view::npos) {
        splitCredentials(netloc.substr(0, at), uri);
        netloc.remove_prefix(at + 1);
    }

    bool sentinel = false;
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view field = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        size_t eq = field.find('=');
        if (eq == std::string_view::npos || eq + 1 == field.size()) continue;  // parse_qsl
        std::string name = decodeQueryPart(field.substr(0, eq));
        std::string value = decodeQueryPart(field.substr(eq + 1));
        if (name == "socket_timeout") {
            auto seconds = parseFloat(value);
            if (!seconds || *seconds <= 0) {
                error = "Invalid socket_timeout '" + value + "' in Redis URI";
                return false;
            }
            uri.socketTimeout = *seconds;
            uri.socketTimeoutSet = true;
        } else if (name == "dbid") {
            auto db = parseInt(value);
            if (!db || *db < 0 || *db > 1000000) {
                error = "Invalid dbid '" + value + "' in Redis URI";
                return false;
            }
            uri.db = static_cast<int>(*db);
        } else if (name == "master") {
            sentinel = true;
            uri.masterName = value;
        } else if (name == "sentinel_username") {
            uri.sentinelUsername = value;  // newer Zaqar's names (sentinel_kwargs)
        } else if (name == "sentinel_password") {
            uri.sentinelPassword = value;
        } else if (name == "ssl_ca_certs" || name == "ssl_ca_path" || name == "ssl_certfile" ||
                   name == "ssl_keyfile" || name == "ssl_server_hostname") {
            if (!uri.tls) {
                error = "The Redis URI sets " + name + " but its scheme is redis://, not rediss://";
                return false;
            }
            std::string& field = name == "ssl_ca_certs"   ? uri.tlsCaFile
                                 : name == "ssl_ca_path"  ? uri.tlsCaPath
                                 : name == "ssl_certfile" ? uri.tlsCertFile
                                 : name == "ssl_keyfile"  ? uri.tlsKeyFile
                                                          : uri.tlsServerName;
            field = value;
        } else if (name == "ssl_cert_reqs") {
            if (value != "required" && value != "optional" && value != "none") {
                error = "Invalid ssl_cert_reqs '" + value +
                        "' in Redis URI (expected required, optional or none)";
                return false;
            }
            uri.tlsCertReqs = value;
        } else if (name == "ssl_check_hostname") {
            std::string flag = value;
            for (char& c : flag) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (flag != "true" && flag != "false") {
                error = "Invalid ssl_check_hostname '" + value +
                        "' in Redis URI (expected true or false)";
                return false;
            }
            uri.tlsCheckHostname = flag == "true";
        } else if (name == "cluster") {
            std::string flag = value;
            for (char& c : flag) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (flag != "true" && flag != "false") {
                error = "Invalid cluster '" + value + "' in Redis URI (expected true or false)";
                return false;
            }
            uri.cluster = flag == "true";
        }
    }

    if (uri.tls && uri.tlsCertFile.empty() != uri.tlsKeyFile.empty()) {
        error = "The rediss:// URI sets only one of ssl_certfile and ssl_keyfile";
        return false;
    }
    if (sentinel && uri.cluster) {
        error = "The Redis URI sets both \"master\" (Sentinel) and \"cluster\"";
        return false;
    }

    if (sentinel) {
        if (netloc.empty()) {
            error = "The Redis configuration URI does not define any sentinel hosts";
            return false;
        }
        if (!parseHostList(netloc, kSentinelDefaultPort, uri.sentinels, error)) return false;
    } else if (uri.cluster) {
        if (netloc.empty()) {
            error = "The Redis cluster URI does not define any nodes";
            return false;
        }
        if (!parseHostList(netloc, kRedisDefaultPort, uri.clusterNodes, error)) return false;
    } else if (!netloc.empty()) {
        if (netloc.find(',') != std::string_view::npos) {
            error =
                "The Redis URI specifies multiple sentinel hosts, but is missing the \"master\" "
                "query string parameter. Please set \"master\" to the name of the Redis master "
                "server as specified in the sentinel configuration file.";
            return false;
        }
        if (!splitHostPort(netloc, kRedisDefaultPort, uri.host, uri.port, error)) return false;
        if (uri.host.empty()) {
            error = "Missing host name in Redis URI";
            return false;
        }
    } else {
        if (uri.tls) {
            error = "A rediss:// URI needs a host: TLS over a unix socket is not supported";
            return false;
        }
        if (path.empty()) {
            error = "Missing path in Redis URI";
            return false;
        }
        uri.socketPath = std::string(path);
    }
    out = std::move(uri);
    return true;
}

}  // namespace zaqard::config
