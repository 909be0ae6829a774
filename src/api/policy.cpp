#include "src/api/policy.h"

#include <string_view>

#include "src/api/errors.h"

namespace zaqard::api {

namespace {

bool hasRole(const Headers& headers, std::string_view role) {
    auto it = headers.find("X-Roles");
    if (it == headers.end()) return false;
    std::string_view roles = it->second;
    while (!roles.empty()) {
        size_t comma = roles.find(',');
        std::string_view item = roles.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (item == role) return true;
        if (comma == std::string_view::npos) break;
        roles.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace

bool policyAllows(Action action, const Headers& headers) {
    switch (action) {
        case Action::Health:
            return hasRole(headers, "admin");  // health:get = role:admin
        default:
            return true;  // every other default rule is "" (always allowed)
    }
}

Response notAuthorized() {
    return errorResponse(403, "Not authorized", "You are not authorized to complete this action.");
}

}  // namespace zaqard::api
