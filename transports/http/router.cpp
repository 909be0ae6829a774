#include "transports/http/router.h"

#include <algorithm>
#include <utility>

namespace zaqard::http {

namespace {

// falcon's CompiledRouter: leading slashes are ignored, then the path splits on '/'.
std::vector<std::string_view> splitPath(std::string_view path) {
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    std::vector<std::string_view> segments;
    while (true) {
        size_t slash = path.find('/');
        segments.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return segments;
}

}  // namespace

Router::Router(std::span<const api::ActionSpec> actions) {
    for (const api::ActionSpec& action : actions) {
        if (!action.rest.path) continue;
        auto route = std::find_if(routes_.begin(), routes_.end(), [&](const PathRoute& r) {
            return r.pattern == action.rest.path;
        });
        if (route == routes_.end()) {
            PathRoute added;
            added.pattern = action.rest.path;
            for (std::string_view segment : splitPath(action.rest.path)) {
                Segment compiled;
                // The table's static checks guarantee that every "{param}" is known.
                compiled.param = api::pathParamMember(api::patternParam(segment));
                if (!compiled.param) compiled.literal = segment;
                added.segments.push_back(std::move(compiled));
            }
            routes_.push_back(std::move(added));
            route = routes_.end() - 1;
        }
        route->methods.push_back({action.rest.method, action.action, action.gate});
    }
    for (PathRoute& route : routes_)
        std::sort(route.methods.begin(), route.methods.end(),
                  [](const MethodRoute& a, const MethodRoute& b) { return a.method < b.method; });
}

RouteMatch Router::match(std::string_view method, std::string_view path,
                         const RouterOptions& options) const {
    const auto segments = splitPath(path);
    const PathRoute* best = nullptr;
    for (const PathRoute& candidate : routes_) {
        if (candidate.segments.size() != segments.size()) continue;
        bool same = true;
        for (size_t i = 0; i < segments.size() && same; ++i)
            same = candidate.segments[i].param || candidate.segments[i].literal == segments[i];
        if (!same) continue;
        bool open = std::any_of(
            candidate.methods.begin(), candidate.methods.end(), [&](const MethodRoute& m) {
                return api::gateOpen(m.gate, options.adminMode, options.pooling);
            });
        if (!open) continue;
        // As falcon does, a literal segment takes precedence over a parameter: of two
        // matching patterns, the one literal where they first differ wins.
        if (best) {
            for (size_t i = 0; i < segments.size(); ++i) {
                bool bestLiteral = !best->segments[i].param;
                bool candidateLiteral = !candidate.segments[i].param;
                if (bestLiteral == candidateLiteral) continue;
                if (candidateLiteral) best = &candidate;
                break;
            }
        } else {
            best = &candidate;
        }
    }

    RouteMatch found;
    if (!best) return found;
    for (size_t i = 0; i < segments.size(); ++i)
        if (best->segments[i].param) found.*(best->segments[i].param) = segments[i];
    for (const MethodRoute& entry : best->methods) {
        if (!api::gateOpen(entry.gate, options.adminMode, options.pooling)) continue;
        if (!found.allowedMethods.empty()) found.allowedMethods += ", ";
        found.allowedMethods += entry.method;
        if (method == entry.method) {
            found.kind = RouteMatch::Kind::Found;
            found.action = entry.action;
        }
    }
    if (found.kind != RouteMatch::Kind::Found) {
        if (method == "OPTIONS") {
            found.kind = RouteMatch::Kind::Options;
        } else {
            found.kind = RouteMatch::Kind::Found;
            found.action = api::Action::MethodNotAllowed;
        }
    }
    return found;
}

RouteMatch route(std::string_view method, std::string_view path, const RouterOptions& options) {
    static const Router router(api::actionTable());
    return router.match(method, path, options);
}

}  // namespace zaqard::http
