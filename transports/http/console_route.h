// The web console (docs/console.md): static files under /console/, outside the tenant API
// (no project headers, no authentication, like / and /metrics), answered by the REST
// transport before routing. The page itself then calls the REST API on the same origin and
// the WebSocket listener, whose port it reads from /console/config.json.
// Pure: no sockets, no libevent, so every rule is unit-tested directly.
#pragma once

#include <string_view>

#include "src/api/request.h"
#include "src/config/config.h"

namespace zaqard::http {

// "/console" and every path under "/console/".
bool isConsolePath(std::string_view path);

struct ConsoleRequest {
    std::string_view method;
    std::string_view path;         // percent-decoded, without the query
    std::string_view ifNoneMatch;  // the If-None-Match header, "" when absent
};

// GET/HEAD of an embedded file (200, or 304 when If-None-Match names its ETag), of
// /console/config.json (generated from `config`), the redirect /console -> /console/,
// 404 for any other name, 405 for other methods.
api::Response consoleResponse(const ConsoleRequest& request, const config::Config& config);

// The WebSocket handshake's Origin check, console part: an Origin naming the host the
// client connected to (the Host header, without its port) at the REST listener's port is
// a page zaqard itself served -- the console -- so it may open a WebSocket with the
// default [cors] options. Default ports count (http 80, https 443).
bool isConsoleOrigin(std::string_view origin, std::string_view host, int restPort);

}  // namespace zaqard::http
