#include "transports/http/console_route.h"

#include <strings.h>

#include <algorithm>
#include <charconv>
#include <string>

#include "transports/http/console_files.h"
#include "transports/http/content_negotiation.h"

namespace zaqard::http {

namespace {

constexpr std::string_view kPrefix = "/console/";

// The page holds a token: nothing may frame it, and it loads nothing from elsewhere. It
// opens WebSockets to zaqard's WebSocket port (another origin, hence ws: wss:).
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

api::Response errorReply(int status, const char* title) {
    api::Response response;
    response.status = status;
    response.contentType = errorContentType(ErrorFormat::Json);
    response.rawBody = renderError(ErrorFormat::Json, title, "");
    return response;
}

// The file body as the reply: HEAD gets the headers only, with GET's Content-Length
// (the serializer would otherwise say none: HEAD has no body).
void setBody(api::Response& response, std::string_view method, std::string_view contentType,
             std::string body) {
    response.contentType = std::string(contentType);
    if (method == "HEAD") {
        response.addHeader("Content-Type", std::string(contentType));
        response.addHeader("Content-Length", std::to_string(body.size()));
        return;
    }
    response.rawBody = std::move(body);
}

// RFC 9110 §13.1.2: "*" or a comma-separated list of entity tags, compared weakly.
bool matchesEtag(std::string_view ifNoneMatch, std::string_view etag) {
    while (!ifNoneMatch.empty()) {
        size_t comma = ifNoneMatch.find(',');
        std::string_view item = ifNoneMatch.substr(0, comma);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
            item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (item.substr(0, 2) == "W/") item.remove_prefix(2);
        if (item == "*" || item == etag) return true;
        if (comma == std::string_view::npos) break;
        ifNoneMatch.remove_prefix(comma + 1);
    }
    return false;
}

const ConsoleFile* findFile(std::string_view name) {
    auto files = consoleFiles();
    auto found =
        std::lower_bound(files.begin(), files.end(), name,
                         [](const ConsoleFile& f, std::string_view n) { return f.name < n; });
    return found != files.end() && found->name == name ? &*found : nullptr;
}

// What the page needs to know about this server and cannot read from the REST API
// without logging in first. docs/console.md lists the members.
std::string configDocument(const config::Config& config) {
    Json doc = Json::object();
    doc.set("websocket_port", Json::integer(config.websocket_port));
    doc.set("auth_strategy",
            Json::string(config.auth_strategy.empty() ? "noauth" : config.auth_strategy));
    // Without the notifier, a WebSocket subscription gets no frames: the live tail polls.
    doc.set("notifications", Json::boolean(config.notificationsEnabled()));
    return doc.dump();
}

// "host[:port]" (host may be "[v6]") -> host, port (-1 when absent; 0 when malformed).
void splitHostPort(std::string_view text, std::string_view& host, int& port) {
    port = -1;
    size_t colon = text.rfind(':');
    size_t bracket = text.rfind(']');
    if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
        std::string_view digits = text.substr(colon + 1);
        int value = 0;
        auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        port = error == std::errc() && end == digits.data() + digits.size() ? value : 0;
        text = text.substr(0, colon);
    }
    host = text;
}

}  // namespace

bool isConsolePath(std::string_view path) {
    return path == "/console" || path.substr(0, kPrefix.size()) == kPrefix;
}

api::Response consoleResponse(const ConsoleRequest& request, const config::Config& config) {
    if (request.method != "GET" && request.method != "HEAD") {
        api::Response response = errorReply(405, "405 Method Not Allowed");
        response.addHeader("Allow", "GET, HEAD");
        return response;
    }
    if (request.path == "/console") {
        api::Response response;
        response.status = 301;
        response.addHeader("Location", "/console/");
        return response;
    }
    std::string_view name = request.path.substr(kPrefix.size());
    if (name.empty()) name = "index.html";

    api::Response response;
    response.addHeader("X-Content-Type-Options", "nosniff");
    if (name == "config.json") {
        response.addHeader("Cache-Control", "no-store");
        setBody(response, request.method, "application/json", configDocument(config));
        return response;
    }
    const ConsoleFile* file = findFile(name);
    if (!file) return errorReply(404, "404 Not Found");
    // Revalidated on every load (cheap: 304), so an upgraded zaqard serves its new console
    // at once.
    response.addHeader("Cache-Control", "no-cache");
    response.addHeader("ETag", std::string(file->etag));
    if (file->contentType.starts_with("text/html")) {
        response.addHeader("Content-Security-Policy", kContentSecurityPolicy);
        response.addHeader("X-Frame-Options", "DENY");
        response.addHeader("Referrer-Policy", "no-referrer");
    }
    if (!request.ifNoneMatch.empty() && matchesEtag(request.ifNoneMatch, file->etag)) {
        response.status = 304;
        return response;
    }
    setBody(response, request.method, file->contentType, std::string(file->body));
    return response;
}

bool isConsoleOrigin(std::string_view origin, std::string_view host, int restPort) {
    int defaultPort = 0;
    if (origin.size() > 7 && strncasecmp(origin.data(), "http://", 7) == 0) {
        origin.remove_prefix(7);
        defaultPort = 80;
    } else if (origin.size() > 8 && strncasecmp(origin.data(), "https://", 8) == 0) {
        origin.remove_prefix(8);
        defaultPort = 443;
    } else {
        return false;
    }
    std::string_view originHost, clientHost;
    int originPort = 0, clientPort = 0;
    splitHostPort(origin, originHost, originPort);
    splitHostPort(host, clientHost, clientPort);
    if (originPort == -1) originPort = defaultPort;
    return !originHost.empty() && originPort == restPort && clientPort != 0 &&
           originHost.size() == clientHost.size() &&
           strncasecmp(originHost.data(), clientHost.data(), clientHost.size()) == 0;
}

}  // namespace zaqard::http
