// URL routing of the REST transport: method + percent-decoded path -> api::Action and
// path parameters, following falcon's router as Zaqar configures it (rest-v2.md §1.1, §3).
// Pure: no sockets, no libevent, so every rule is unit-tested directly.
#pragma once

#include <string>
#include <string_view>

#include "src/api/request.h"

namespace zaqard::http {

struct RouterOptions {
    bool adminMode = false;  // [DEFAULT] admin_mode: /v2/health (and pools/flavors with pooling)
    bool pooling = false;    // [DEFAULT] pooling
};

struct RouteMatch {
    enum class Kind {
        Found,     // `action` (also Action::MethodNotAllowed) goes to the api
        NotFound,  // 404 {"title": "404 Not Found"}, before any header check
        Options,   // OPTIONS on a known path: 200, empty body, Allow: allowedMethods
    };
    Kind kind = Kind::NotFound;
    api::Action action = api::Action::Ping;
    std::string queueName;
    std::string messageId;
    std::string claimId;
    std::string subscriptionId;
    // The path's methods in falcon's order (sorted), e.g. "DELETE, GET, PATCH, PUT".
    std::string allowedMethods;
};

// `path` is the request path already percent-decoded (as WSGI's PATH_INFO), without query.
RouteMatch route(std::string_view method, std::string_view path, const RouterOptions& options);

}  // namespace zaqard::http
