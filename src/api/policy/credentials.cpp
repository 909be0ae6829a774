#include "src/api/policy/credentials.h"

#include <algorithm>
#include <cctype>

namespace zaqard::api::policy {

namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

const std::vector<std::string>& Credentials::roles() const {
    if (rolesParsed_) return roles_;
    rolesParsed_ = true;
    auto it = headers_.find("X-Roles");
    if (it == headers_.end()) return roles_;
    std::string_view rest = it->second;
    // Zaqar splits on "," only; surrounding blanks are dropped here so "a, b" means a and b.
    while (true) {
        size_t comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
            item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (!item.empty()) roles_.emplace_back(item);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return roles_;
}

bool Credentials::hasRole(std::string_view lowerRole) const {
    for (const std::string& role : roles())
        if (equalsIgnoreCase(role, lowerRole)) return true;
    return false;
}

std::string Credentials::header(const char* name) const {
    auto it = headers_.find(name);
    return it == headers_.end() ? std::string("None") : it->second;
}

bool Credentials::matches(std::string_view key, std::string_view value) const {
    if (key == "roles") {
        for (const std::string& role : roles())
            if (role == value) return true;
        return false;
    }
    // The keys of oslo.context's to_dict() plus Zaqar's client_id; a request's context is
    // never admin (is_admin=False) and, without Keystone, its project is the admin
    // project as far as oslo.context knows (is_admin_project=True).
    if (key == "project_id" || key == "project") return header("X-Project-ID") == value;
    if (key == "user") return header("X-User-ID") == value;
    if (key == "domain") return header("X-Domain-ID") == value;
    if (key == "user_domain") return header("X-User-Domain-ID") == value;
    if (key == "project_domain") return header("X-Project-Domain-ID") == value;
    if (key == "client_id") return header("Client-ID") == value;
    if (key == "auth_token") return header("X-Auth-Token") == value;
    if (key == "is_admin" || key == "read_only" || key == "show_deleted") return value == "False";
    if (key == "is_admin_project") return value == "True";
    if (key == "system_scope" || key == "resource_uuid" || key == "global_request_id")
        return value == "None";
    return false;
}

}  // namespace zaqard::api::policy
