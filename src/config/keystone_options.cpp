#include "src/config/keystone_options.h"

#include "src/config/config_values.h"

namespace zaqard::config {

namespace {

const std::string* find(const RawSection& section, const char* name) {
    auto it = section.find(name);
    return it == section.end() ? nullptr : &it->second;
}

std::string invalid(const char* name, const std::string& value, const char* why) {
    return std::string("[keystone_authtoken] ") + name + ": invalid value '" + value + "': " + why;
}

}  // namespace

bool applyKeystoneOptions(Config& config, std::string& error) {
    const RawSection& raw = config.keystone_authtoken;
    KeystoneAuthOptions& out = config.keystone;
    auto text = [&raw](const char* name, std::string& field) {
        if (const std::string* value = find(raw, name)) field = *value;
    };
    text("www_authenticate_uri", out.www_authenticate_uri);
    if (out.www_authenticate_uri.empty()) text("auth_uri", out.www_authenticate_uri);
    text("auth_url", out.auth_url);
    text("auth_type", out.auth_type);
    if (const std::string* plugin = find(raw, "auth_plugin"); plugin && !find(raw, "auth_type"))
        out.auth_type = *plugin;
    text("username", out.username);
    text("password", out.password);
    text("project_name", out.project_name);
    text("user_domain_name", out.user_domain_name);
    text("project_domain_name", out.project_domain_name);
    text("cafile", out.cafile);
    for (auto [name, field] : {std::pair{"insecure", &out.insecure},
                               std::pair{"delay_auth_decision", &out.delay_auth_decision}}) {
        if (const std::string* value = find(raw, name)) {
            auto parsed = parseBool(*value);
            if (!parsed) {
                error = invalid(name, *value, "expected a boolean");
                return false;
            }
            *field = *parsed;
        }
    }
    for (auto [name, field] : {std::pair{"token_cache_time", &out.token_cache_time},
                               std::pair{"token_cache_size", &out.token_cache_size}}) {
        if (const std::string* value = find(raw, name)) {
            auto parsed = parseInt(*value);
            if (!parsed || *parsed < 0 || *parsed > INT32_MAX) {
                error = invalid(name, *value, "expected a non-negative integer");
                return false;
            }
            *field = static_cast<int>(*parsed);
        }
    }
    if (const std::string* value = find(raw, "http_connect_timeout")) {
        auto parsed = parseFloat(*value);
        if (!parsed || *parsed <= 0) {
            error = invalid("http_connect_timeout", *value, "expected a number greater than 0");
            return false;
        }
        out.http_connect_timeout = *parsed;
    }
    return true;
}

bool checkKeystoneOptions(const Config& config, std::string& error) {
    const KeystoneAuthOptions& out = config.keystone;
    if (config.auth_strategy != "keystone") return true;
    if (out.auth_type != "password") {
        error = invalid("auth_type", out.auth_type, "zaqard supports only 'password'");
        return false;
    }
    for (auto [name, field] :
         {std::pair{"auth_url", &out.auth_url}, std::pair{"username", &out.username},
          std::pair{"password", &out.password}, std::pair{"project_name", &out.project_name}}) {
        if (field->empty()) {
            error = std::string("[keystone_authtoken] ") + name +
                    " is required with [DEFAULT] auth_strategy = keystone";
            return false;
        }
    }
    return true;
}

}  // namespace zaqard::config
