// POST /v2/queues/{q}/share (rest-v2.md §4.7): a pre-signed URL for the queue's
// messages / claims / subscriptions, signed with [signed_url] secret_key.
#include <algorithm>
#include <cmath>
#include <set>

#include "src/api/body.h"
#include "src/api/errors.h"
#include "src/api/handlers/handlers.h"
#include "src/api/python_compat.h"
#include "src/api/signed_url.h"
#include "src/common/clock.h"

namespace zaqard::api::handlers {

namespace {

constexpr double kDefaultLifetime = 86400.0;  // one day, as Zaqar

// str(value) of a decoded JSON scalar, for Zaqar's set reprs of what it rejects.
std::string scalarText(const json_t* value) {
    if (json_is_string(value)) return json_string_value(value);
    return dumpJson(value);
}

// Zaqar first tries int(expires): an integer-looking value is refused with its own text.
std::optional<int64_t> integerExpires(const json_t* expires) {
    if (json_is_string(expires)) return py::parseInt(json_string_value(expires));
    if (json_is_integer(expires)) return json_integer_value(expires);
    if (json_is_boolean(expires)) return json_is_true(expires) ? 1 : 0;
    if (json_is_real(expires)) return static_cast<int64_t>(std::trunc(json_real_value(expires)));
    return std::nullopt;
}

}  // namespace

void queueShare(const CallPtr& call) {
    const Request& req = call->request;
    Json document;
    if (auto r = deserializeBody(req, document)) return call->reply(std::move(*r));
    if (!json_is_object(document.get())) return call->reply(documentTypeNotSupported());

    std::vector<std::string> unknown;
    const char* key;
    json_t* value;
    json_object_foreach(document.get(), key, value) {
        std::string_view name = key;
        if (name != "paths" && name != "methods" && name != "expires") unknown.emplace_back(key);
    }
    if (!unknown.empty())
        return call->reply(badRequestApi("Unknown keys: " + py::reprSet(unknown)));

    // "/v2/queues/q/share" -> "/v2/queues/q/<resource>".
    const std::string base = req.path.substr(0, req.path.size() - std::string("share").size());
    std::vector<std::string> paths;
    const json_t* pathsValue = document.at("paths");
    if (!py::truthy(pathsValue)) {
        paths.push_back(base + "messages");
    } else {
        static const std::set<std::string> kValid = {"messages", "subscriptions", "claims"};
        std::vector<std::string> invalid;
        if (!json_is_array(pathsValue)) {
            invalid.push_back(scalarText(pathsValue));
        } else {
            size_t index;
            json_t* item;
            json_array_foreach(pathsValue, index, item) {
                std::string name = scalarText(item);
                if (!json_is_string(item) || !kValid.count(name))
                    invalid.push_back(name);
                else
                    paths.push_back(base + name);
            }
        }
        if (!invalid.empty())
            return call->reply(badRequestApi("Invalid paths: " + py::reprSet(invalid)));
    }

    // Zaqar answers 400 "The `key` can't be None"; a missing key is the operator's problem.
    if (call->config.signed_url_secret_key.empty())
        return call->reply(errorResponse(
            503, "Service temporarily unavailable",
            "Pre-signed URLs are not available: the server has no [signed_url] secret_key "
            "configured."));

    std::vector<std::string> methods;
    const json_t* methodsValue = document.at("methods");
    if (!py::truthy(methodsValue)) {
        methods.push_back("GET");
    } else {
        bool valid = json_is_array(methodsValue);
        size_t index;
        json_t* item;
        json_array_foreach(methodsValue, index, item) {
            if (!json_is_string(item))
                valid = false;
            else
                methods.emplace_back(json_string_value(item));
        }
        if (!valid) return call->reply(badRequestApi("`methods` should be a list"));
    }

    const double now = nowSeconds();
    double expires = now + kDefaultLifetime;
    const json_t* expiresValue = document.at("expires");
    if (expiresValue != nullptr && !json_is_null(expiresValue)) {
        auto asInteger = integerExpires(expiresValue);
        if (asInteger && *asInteger != 0)
            return call->reply(badRequestApi(
                "`expires` should be date format, for example 2016-01-01T00:00:00, not integer "
                "value: " +
                std::to_string(*asInteger)));
        if (!json_is_string(expiresValue))
            return call->reply(badRequestApi("expected string or bytes-like object"));
        ParsedTime parsed = parseIsoTime(json_string_value(expiresValue));
        if (!parsed.unixSeconds) return call->reply(badRequestApi(parsed.error));
        expires = *parsed.unixSeconds;
    }
    if (expires <= now)
        return call->reply(badRequestApi("`expires` is lower than the current time"));

    std::sort(paths.begin(), paths.end());
    std::sort(methods.begin(), methods.end());
    const std::string expiresText = formatExpires(expires);
    std::string signature =
        signUrl(call->config.signed_url_secret_key, paths, methods, call->project, expiresText);

    Json pathsJson = Json::array();
    for (const auto& p : paths) pathsJson.append(Json::string(p));
    Json methodsJson = Json::array();
    for (const auto& m : methods) methodsJson.append(Json::string(m));
    Json body = Json::object();
    body.set("paths", std::move(pathsJson));
    body.set("methods", std::move(methodsJson));
    body.set("project", Json::string(call->project));
    body.set("expires", Json::string(expiresText));
    body.set("signature", Json::string(signature));
    Response response;
    response.body = std::move(body);
    call->reply(std::move(response));
}

}  // namespace zaqard::api::handlers
