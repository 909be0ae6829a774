// URL routing of the REST transport: method + percent-decoded path -> api::Action and
// path parameters, following falcon's router as Zaqar configures it (rest-v2.md §1.1, §3).
// The routes are the `rest` column of the action table (src/api/action_table.h); this is
// only the matcher. Pure: no sockets, no libevent, so every rule is unit-tested directly.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/api/action_table.h"
#include "src/api/request.h"

namespace zaqard::http {

struct RouterOptions {
    bool adminMode = false;  // [DEFAULT] admin_mode: /v2/health (and pools/flavors with pooling)
    bool pooling = false;    // [DEFAULT] pooling
};

// The path parameters (queueName, messageId, ..., flavorName) are the inherited members.
struct RouteMatch : api::PathParams {
    enum class Kind {
        Found,     // `action` (also Action::MethodNotAllowed) goes to the api
        NotFound,  // 404 {"title": "404 Not Found"}, before any header check
        Options,   // OPTIONS on a known path: 200, empty body, Allow: allowedMethods
    };
    Kind kind = Kind::NotFound;
    api::Action action = api::Action::Ping;
    // The path's methods in falcon's order (sorted), e.g. "DELETE, GET, PATCH, PUT".
    std::string allowedMethods;
};

// The routes of a table of actions, grouped by path pattern.
class Router {
  public:
    explicit Router(std::span<const api::ActionSpec> actions);

    // `path` is the request path already percent-decoded (as WSGI's PATH_INFO), without
    // query.
    RouteMatch match(std::string_view method, std::string_view path,
                     const RouterOptions& options) const;

  private:
    struct Segment {
        std::string literal;                    // when `param` is null
        std::string api::PathParams::*param{};  // a "{param}" segment
    };
    struct MethodRoute {
        std::string method;
        api::Action action;
        api::Gate gate;
    };
    struct PathRoute {
        std::string pattern;
        std::vector<Segment> segments;
        std::vector<MethodRoute> methods;  // sorted by method name, as falcon lists them
    };
    std::vector<PathRoute> routes_;
};

// The router of the action table.
RouteMatch route(std::string_view method, std::string_view path, const RouterOptions& options);

}  // namespace zaqard::http
