// Builds the OpenAPI document from the action table and source.json (see openapi.h).
#include "src/api/openapi/openapi.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>

namespace zaqard::api::openapi {

namespace {

Json componentRef(const std::string& target) {
    return Json::object().set("$ref", Json::string("#/components/" + target));
}

Json copyOf(json_t* value) {
    return Json::adopt(json_deep_copy(value));
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// The path parameters of a route pattern, in order.
std::vector<std::string> routeParams(std::string_view pattern) {
    std::vector<std::string> params;
    while (!pattern.empty()) {
        size_t slash = pattern.find('/');
        std::string_view param = patternParam(pattern.substr(0, slash));
        if (!param.empty()) params.emplace_back(param);
        if (slash == std::string_view::npos) break;
        pattern.remove_prefix(slash + 1);
    }
    return params;
}

const char* gateText(Gate gate) {
    switch (gate) {
        case Gate::Public:
            return nullptr;
        case Gate::Admin:
            return "admin_mode";
        case Gate::AdminPooling:
            return "admin_mode and pooling";
    }
    return nullptr;
}

bool hasComponent(const Json& source, const char* kind, const std::string& name) {
    json_t* components = json_object_get(source.get(), "components");
    return json_object_get(json_object_get(components, kind), name.c_str()) != nullptr;
}

// Status codes in numeric order, whatever order source.json lists them in.
Json sortedResponses(json_t* responses) {
    std::vector<std::string> codes;
    const char* code;
    json_t* value;
    json_object_foreach(responses, code, value) codes.emplace_back(code);
    std::sort(codes.begin(), codes.end());
    Json sorted = Json::object();
    for (const std::string& c : codes) sorted.set(c, copyOf(json_object_get(responses, c.c_str())));
    return sorted;
}

Json operation(const ActionSpec& row, json_t* entry, const Json& source,
               std::vector<std::string>& problems) {
    const std::string name = row.name;
    Json op = Json::object();
    op.set("operationId", Json::string(row.name));
    op.set("summary", Json::string(row.summary));
    for (const char* key : {"description", "tags"})
        if (json_t* value = json_object_get(entry, key)) op.set(key, copyOf(value));
    if (row.rule) op.set("x-policy-rule", Json::string(row.rule));
    if (const char* gate = gateText(row.gate)) op.set("x-zaqard-requires", Json::string(gate));

    Json parameters = Json::array();
    for (const std::string& param : routeParams(row.rest.path)) {
        if (!hasComponent(source, "parameters", param))
            problems.push_back(name + ": no components.parameters." + param + " in source.json");
        parameters.append(componentRef("parameters/" + param));
    }
    if (row.checks != Checks::None) {
        parameters.append(componentRef("parameters/ClientId"));
        parameters.append(componentRef("parameters/ProjectId"));
    }
    size_t i;
    json_t* param;
    json_array_foreach(json_object_get(entry, "parameters"), i, param)
        parameters.append(copyOf(param));
    if (json_array_size(parameters.get()) > 0) op.set("parameters", std::move(parameters));

    if (json_t* body = json_object_get(entry, "requestBody")) op.set("requestBody", copyOf(body));

    json_t* responses = json_object_get(entry, "responses");
    if (json_object_size(responses) == 0) {
        problems.push_back(name + ": source.json documents no responses");
        responses = nullptr;
    }
    Json merged = responses ? copyOf(responses) : Json::object();
    // The header checks (rest-v2.md §1.2 steps 4-6) answer 400 on every checked route.
    if (row.checks != Checks::None && !merged.at("400"))
        merged.set("400", componentRef("responses/BadRequest"));
    op.set("responses", sortedResponses(merged.get()));
    return op;
}

}  // namespace

Json build(std::span<const ActionSpec> rows, const Json& source,
           std::vector<std::string>& problems) {
    json_t* operations = json_object_get(source.get(), "operations");
    Json paths = Json::object();
    std::set<std::string> documented;
    for (const ActionSpec& row : rows) {
        if (!row.rest.path) continue;
        json_t* entry = json_object_get(operations, row.name);
        if (!entry) {
            problems.push_back(
                std::string("action ") + row.name + " (" + row.rest.method + " " + row.rest.path +
                ") has no entry under \"operations\" in src/api/openapi/source.json");
            continue;
        }
        documented.insert(row.name);
        json_t* item = json_object_get(paths.get(), row.rest.path);
        if (!item) {
            paths.set(row.rest.path, Json::object());
            item = json_object_get(paths.get(), row.rest.path);
        }
        json_object_set_new(item, lower(row.rest.method).c_str(),
                            operation(row, entry, source, problems).release());
    }
    const char* name;
    json_t* entry;
    json_object_foreach(operations, name, entry) {
        if (!documented.count(name))
            problems.push_back(std::string("source.json documents operation ") + name +
                               ", which is no REST row of the action table");
    }

    Json document = Json::object();
    document.set("openapi", Json::string("3.1.0"));
    for (const char* key : {"info", "servers", "tags"})
        if (json_t* value = json_object_get(source.get(), key)) document.set(key, copyOf(value));
    document.set("paths", std::move(paths));
    if (json_t* components = json_object_get(source.get(), "components"))
        document.set("components", copyOf(components));
    return document;
}

std::string render(const Json& document) {
    std::unique_ptr<char, decltype(&free)> text(
        json_dumps(document.get(), JSON_INDENT(2) | JSON_PRESERVE_ORDER), &free);
    return text ? std::string(text.get()) + "\n" : std::string();
}

}  // namespace zaqard::api::openapi
