#include "transports/http/cors.h"

#include <strings.h>

#include <algorithm>
#include <vector>

namespace zaqard::http {

namespace {

// oslo's CORS.simple_headers: always acceptable in Access-Control-Request-Headers.
constexpr const char* kSimpleHeaders[] = {
    "Accept",           "Accept-Language", "Content-Type",  "Cache-Control",
    "Content-Language", "Expires",         "Last-Modified", "Pragma"};

const char* findHeader(const api::Headers& headers, const char* name) {
    auto found = headers.find(name);
    return found == headers.end() ? nullptr : found->second.c_str();
}

// Every occurrence of a comma-separated header (the parser joined repeats with ","),
// split, trimmed, empty items dropped (oslo's _split_header_values over webob's joined
// header).
std::vector<std::string> splitHeaderValues(const api::Headers& headers, const char* name) {
    std::vector<std::string> values;
    auto found = headers.find(name);
    if (found != headers.end()) {
        std::string_view text = found->second;
        while (true) {
            size_t comma = text.find(',');
            std::string_view item = text.substr(0, comma);
            while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
                item.remove_prefix(1);
            while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
                item.remove_suffix(1);
            if (!item.empty()) values.emplace_back(item);
            if (comma == std::string_view::npos) break;
            text.remove_prefix(comma + 1);
        }
    }
    return values;
}

bool sameName(const std::string& a, const char* b) {
    return strcasecmp(a.c_str(), b) == 0;
}

bool headerPermitted(const std::string& name, const std::vector<std::string>& allowHeaders) {
    for (const auto& allowed : allowHeaders)
        if (sameName(name, allowed.c_str())) return true;
    for (const char* simple : kSimpleHeaders)
        if (sameName(name, simple)) return true;
    return false;
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += ',';
        out += item;
    }
    return out;
}

void addOriginHeaders(api::Response& response, std::string allowOrigin, bool credentials) {
    response.addHeader("Access-Control-Allow-Origin", std::move(allowOrigin));
    if (credentials) response.addHeader("Access-Control-Allow-Credentials", "true");
}

}  // namespace

std::string Cors::allowOriginFor(std::string_view origin) const {
    const auto& origins = options_.allowed_origin;
    if (std::find(origins.begin(), origins.end(), origin) != origins.end())
        return std::string(origin);
    if (std::find(origins.begin(), origins.end(), "*") != origins.end()) return "*";
    return {};
}

bool Cors::allowsWebSocketOrigin(std::string_view origin, std::string_view host) const {
    if (origin.empty()) return true;
    for (std::string_view scheme : {"http://", "https://"}) {
        if (!host.empty() && origin.size() == scheme.size() + host.size() &&
            strncasecmp(origin.data(), scheme.data(), scheme.size()) == 0 &&
            strncasecmp(origin.data() + scheme.size(), host.data(), host.size()) == 0)
            return true;
    }
    return !allowOriginFor(origin).empty();
}

void Cors::preflight(const api::Headers& request, api::Response& response) const {
    if (response.status < 200 || response.status >= 300) response = api::Response{};
    response.status = 200;

    const char* origin = findHeader(request, "Origin");
    if (!origin) return;
    std::string allowOrigin = allowOriginFor(origin);
    if (allowOrigin.empty()) return;
    const char* method = findHeader(request, "Access-Control-Request-Method");
    if (!method) return;
    const auto& methods = options_.allow_methods;
    if (std::find(methods.begin(), methods.end(), method) == methods.end()) return;
    std::vector<std::string> requested =
        splitHeaderValues(request, "Access-Control-Request-Headers");
    for (const auto& name : requested)
        if (!headerPermitted(name, options_.allow_headers)) return;

    response.addHeader("Vary", "Origin");
    addOriginHeaders(response, std::move(allowOrigin), options_.allow_credentials);
    if (options_.max_age)
        response.addHeader("Access-Control-Max-Age", std::to_string(options_.max_age));
    response.addHeader("Access-Control-Allow-Methods", method);
    if (!requested.empty()) response.addHeader("Access-Control-Allow-Headers", joined(requested));
}

bool Cors::needsHeaders(std::string_view origin) const {
    if (options_.allowed_origin.empty() || origin.empty()) return false;
    return !allowOriginFor(origin).empty();
}

void Cors::addActualHeaders(std::string_view origin, api::Response& response) const {
    if (origin.empty()) return;
    std::string allowOrigin = allowOriginFor(origin);
    if (allowOrigin.empty()) return;
    bool varied = false;
    for (auto& [name, value] : response.headers) {
        if (strcasecmp(name.c_str(), "Vary") != 0) continue;
        value += ",Origin";
        varied = true;
        break;
    }
    if (!varied) response.addHeader("Vary", "Origin");
    addOriginHeaders(response, std::move(allowOrigin), options_.allow_credentials);
    if (!options_.expose_headers.empty())
        response.addHeader("Access-Control-Expose-Headers", joined(options_.expose_headers));
}

}  // namespace zaqard::http
