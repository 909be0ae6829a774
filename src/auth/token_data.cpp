#include "src/auth/token_data.h"

#include "src/common/iso_time.h"
#include "src/common/json.h"

namespace zaqard::auth {

namespace {

std::string text(const json_t* object, const char* key) {
    const json_t* value = json_is_object(object) ? json_object_get(object, key) : nullptr;
    return json_is_string(value) ? std::string(json_string_value(value)) : std::string();
}

const json_t* member(const json_t* object, const char* key) {
    return json_is_object(object) ? json_object_get(object, key) : nullptr;
}

}  // namespace

const std::vector<std::string>& identityHeaderNames() {
    // _request.py::_all_auth_headers: user and service variants of every template.
    static const std::vector<std::string> names = [] {
        std::vector<std::string> all = {"X-Service-Catalog",
                                        "X-Identity-Status",
                                        "X-Service-Identity-Status",
                                        "X-Is-Admin-Project",
                                        "X-Role",
                                        "X-User",
                                        "X-Tenant-Id",
                                        "X-Tenant-Name",
                                        "X-Tenant",
                                        "OpenStack-System-Scope"};
        for (const char* prefix : {"", "-Service"}) {
            for (const char* tail :
                 {"-Domain-Id", "-Domain-Name", "-Project-Id", "-Project-Name",
                  "-Project-Domain-Id", "-Project-Domain-Name", "-User-Id", "-User-Name",
                  "-User-Domain-Id", "-User-Domain-Name", "-Roles"})
                all.push_back(std::string("X") + prefix + tail);
        }
        return all;
    }();
    return names;
}

std::optional<Identity> identityFromTokenBody(const std::string& body) {
    Json document = parseJsonValue(body);
    const json_t* token = member(document.get(), "token");
    if (!json_is_object(token)) return std::nullopt;
    ParsedTime expires = parseIsoTime(text(token, "expires_at"));
    if (!expires.unixSeconds) return std::nullopt;

    Identity identity;
    identity.expiresAt = *expires.unixSeconds;
    const json_t* project = member(token, "project");
    const json_t* projectDomain = member(project, "domain");
    const json_t* user = member(token, "user");
    const json_t* userDomain = member(user, "domain");
    const json_t* domain = member(token, "domain");  // domain-scoped tokens
    identity.projectId = text(project, "id");

    std::string roles;
    const json_t* roleList = member(token, "roles");
    if (json_is_array(roleList)) {
        size_t i;
        json_t* role;
        json_array_foreach(roleList, i, role) {
            std::string name = text(role, "name");
            if (name.empty()) continue;
            if (!roles.empty()) roles += ",";
            roles += name;
        }
    }
    // keystoneauth: is_admin_project defaults to True when Keystone leaves it out.
    const json_t* adminProject = member(token, "is_admin_project");
    bool isAdminProject = adminProject ? json_is_true(adminProject) : true;
    const json_t* system = member(token, "system");
    bool systemAll = json_is_true(member(system, "all"));

    auto& h = identity.headers;
    auto set = [&h](const char* name, std::string value) {
        // keystonemiddleware sets None-valued headers as absent.
        if (!value.empty()) h.emplace_back(name, std::move(value));
    };
    set("X-Identity-Status", "Confirmed");
    set("X-Domain-Id", text(domain, "id"));
    set("X-Domain-Name", text(domain, "name"));
    set("X-Project-Id", identity.projectId);
    set("X-Project-Name", text(project, "name"));
    set("X-Project-Domain-Id", text(projectDomain, "id"));
    set("X-Project-Domain-Name", text(projectDomain, "name"));
    set("X-User-Id", text(user, "id"));
    set("X-User-Name", text(user, "name"));
    set("X-User-Domain-Id", text(userDomain, "id"));
    set("X-User-Domain-Name", text(userDomain, "name"));
    h.emplace_back("X-Roles", roles);
    set("OpenStack-System-Scope", systemAll ? "all" : "");
    set("X-Is-Admin-Project", isAdminProject ? "True" : "False");
    // Legacy aliases (_DEPRECATED_HEADER_MAP).
    h.emplace_back("X-Role", roles);
    set("X-User", text(user, "name"));
    set("X-Tenant-Id", identity.projectId);
    set("X-Tenant-Name", text(project, "name"));
    set("X-Tenant", text(project, "name"));
    return identity;
}

}  // namespace zaqard::auth
