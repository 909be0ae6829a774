#include "transports/http/router.h"

#include <utility>
#include <vector>

namespace zaqard::http {

namespace {

using api::Action;

enum class Param { None, Queue, Message, Claim, Subscription };

struct MethodAction {
    const char* method;
    Action action;
};

// Segments are literals, or "{q}", "{m}", "{c}", "{s}" for the path parameters.
struct Route {
    std::vector<const char*> segments;
    std::vector<MethodAction> methods;  // sorted by method name, as falcon lists them
    enum class Gate { Public, Admin, AdminPooling } gate = Gate::Public;
};

const std::vector<Route>& routes() {
    using G = Route::Gate;
    static const std::vector<Route> table = {
        {{""}, {{"GET", Action::Versions}}},
        {{"v2", ""}, {{"GET", Action::GetHomeDoc}}},
        {{"v2", "ping"}, {{"GET", Action::Ping}, {"HEAD", Action::PingHead}}},
        {{"v2", "health"}, {{"GET", Action::Health}}, G::Admin},
        {{"v2", "queues"}, {{"GET", Action::QueueList}}},
        {{"v2", "queues", "{q}"},
         {{"DELETE", Action::QueueDelete},
          {"GET", Action::QueueGet},
          {"PATCH", Action::QueueUpdate},
          {"PUT", Action::QueueCreate}}},
        {{"v2", "queues", "{q}", "stats"}, {{"GET", Action::QueueStats}}},
        {{"v2", "queues", "{q}", "share"}, {{"POST", Action::QueueShare}}},
        {{"v2", "queues", "{q}", "purge"}, {{"POST", Action::QueuePurge}}},
        {{"v2", "queues", "{q}", "messages"},
         {{"DELETE", Action::MessageDeleteMany},
          {"GET", Action::MessageList},
          {"POST", Action::MessagePost}}},
        {{"v2", "queues", "{q}", "messages", "{m}"},
         {{"DELETE", Action::MessageDelete}, {"GET", Action::MessageGet}}},
        {{"v2", "queues", "{q}", "claims"}, {{"POST", Action::ClaimCreate}}},
        {{"v2", "queues", "{q}", "claims", "{c}"},
         {{"DELETE", Action::ClaimDelete},
          {"GET", Action::ClaimGet},
          {"PATCH", Action::ClaimUpdate}}},
        {{"v2", "queues", "{q}", "subscriptions"},
         {{"GET", Action::SubscriptionList}, {"POST", Action::SubscriptionCreate}}},
        {{"v2", "queues", "{q}", "subscriptions", "{s}"},
         {{"DELETE", Action::SubscriptionDelete},
          {"GET", Action::SubscriptionGet},
          {"PATCH", Action::SubscriptionUpdate}}},
        {{"v2", "queues", "{q}", "subscriptions", "{s}", "confirm"},
         {{"PUT", Action::SubscriptionConfirm}}},
        // Topics, pools and flavors have no actions yet: their paths answer 404.
    };
    return table;
}

Param paramOf(const char* segment) {
    if (segment[0] != '{') return Param::None;
    switch (segment[1]) {
        case 'q':
            return Param::Queue;
        case 'm':
            return Param::Message;
        case 'c':
            return Param::Claim;
        default:
            return Param::Subscription;
    }
}

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

bool gateOpen(Route::Gate gate, const RouterOptions& options) {
    switch (gate) {
        case Route::Gate::Public:
            return true;
        case Route::Gate::Admin:
            return options.adminMode;
        case Route::Gate::AdminPooling:
            return options.adminMode && options.pooling;
    }
    return false;
}

}  // namespace

RouteMatch route(std::string_view method, std::string_view path, const RouterOptions& options) {
    RouteMatch match;
    const auto segments = splitPath(path);
    for (const Route& candidate : routes()) {
        if (candidate.segments.size() != segments.size() || !gateOpen(candidate.gate, options))
            continue;
        RouteMatch found;
        bool same = true;
        for (size_t i = 0; i < segments.size() && same; ++i) {
            const char* pattern = candidate.segments[i];
            std::string value(segments[i]);
            switch (paramOf(pattern)) {
                case Param::None:
                    same = value == pattern;
                    break;
                case Param::Queue:
                    found.queueName = std::move(value);
                    break;
                case Param::Message:
                    found.messageId = std::move(value);
                    break;
                case Param::Claim:
                    found.claimId = std::move(value);
                    break;
                case Param::Subscription:
                    found.subscriptionId = std::move(value);
                    break;
            }
        }
        if (!same) continue;

        for (const auto& entry : candidate.methods) {
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
                found.action = Action::MethodNotAllowed;
            }
        }
        return found;
    }
    return match;
}

}  // namespace zaqard::http
