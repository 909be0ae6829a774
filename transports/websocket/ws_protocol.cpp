#include "transports/websocket/ws_protocol.h"

#include <string_view>
#include <vector>

namespace zaqard::websocket {

namespace {

enum class FieldType { String, Integer, Boolean, Array, Object };

struct Field {
    const char* name;
    FieldType type;
    bool required;
    // How the field reaches the api request: as a path parameter, a query parameter, or a
    // member of the JSON body.
    enum Target { QueueName, MessageId, ClaimId, SubscriptionId, Query, Body } target;
    const char* queryName = nullptr;  // query parameter name when it differs
};

struct ActionSpec {
    const char* name;
    api::Action action;
    bool needsClientHeaders;  // Client-ID and X-Project-ID required by the schema
    bool bodyRequired;
    std::vector<Field> fields;
};

using F = Field;
constexpr auto S = FieldType::String;
constexpr auto I = FieldType::Integer;
constexpr auto B = FieldType::Boolean;
constexpr auto A = FieldType::Array;
constexpr auto O = FieldType::Object;

const F kQueue{"queue_name", S, true, F::QueueName};

const std::vector<ActionSpec>& actionTable() {
    static const std::vector<ActionSpec> table = {
        {"get_home_doc", api::Action::GetHomeDoc, false, false, {}},
        {"ping_node", api::Action::Ping, false, false, {}},
        {"check_node_health", api::Action::Health, false, false, {}},
        {"queue_list",
         api::Action::QueueList,
         true,
         false,
         {{"marker", S, false, F::Query},
          {"limit", I, false, F::Query},
          {"detailed", B, false, F::Query}}},
        {"queue_create",
         api::Action::QueueCreate,
         true,
         true,
         {kQueue, {"metadata", O, false, F::Body}}},
        {"queue_get", api::Action::QueueGet, true, true, {kQueue}},
        {"queue_delete", api::Action::QueueDelete, true, true, {kQueue}},
        {"queue_get_stats", api::Action::QueueStats, true, true, {kQueue}},
        {"queue_purge",
         api::Action::QueuePurge,
         true,
         true,
         {kQueue, {"resource_types", A, false, F::Body}}},
        {"message_post",
         api::Action::MessagePost,
         true,
         true,
         {kQueue, {"messages", A, true, F::Body}}},
        {"message_list",
         api::Action::MessageList,
         true,
         true,
         {kQueue,
          {"marker", S, false, F::Query},
          {"limit", I, false, F::Query},
          {"echo", B, false, F::Query},
          {"include_claimed", B, false, F::Query},
          {"include_delayed", B, false, F::Query}}},
        {"message_get",
         api::Action::MessageGet,
         true,
         true,
         {kQueue, {"message_id", S, true, F::MessageId}}},
        {"message_get_many",
         api::Action::MessageList,
         true,
         true,
         {kQueue, {"message_ids", A, true, F::Query, "ids"}}},
        {"message_delete",
         api::Action::MessageDelete,
         true,
         true,
         {kQueue, {"message_id", S, true, F::MessageId}, {"claim_id", S, false, F::Query}}},
        {"message_delete_many",
         api::Action::MessageDeleteMany,
         true,
         true,
         {kQueue,
          {"message_ids", A, false, F::Query, "ids"},
          {"claim_ids", A, false, F::Query},
          {"pop", I, false, F::Query}}},
        {"claim_create",
         api::Action::ClaimCreate,
         true,
         true,
         {kQueue,
          {"limit", I, false, F::Query},
          {"ttl", I, false, F::Body},
          {"grace", I, false, F::Body}}},
        {"claim_get",
         api::Action::ClaimGet,
         true,
         true,
         {kQueue, {"claim_id", S, true, F::ClaimId}}},
        {"claim_update",
         api::Action::ClaimUpdate,
         true,
         true,
         {kQueue,
          {"claim_id", S, true, F::ClaimId},
          {"ttl", I, false, F::Body},
          {"grace", I, false, F::Body}}},
        {"claim_delete",
         api::Action::ClaimDelete,
         true,
         true,
         {kQueue, {"claim_id", S, true, F::ClaimId}}},
        {"subscription_create",
         api::Action::SubscriptionCreate,
         true,
         true,
         {kQueue,
          {"subscriber", S, false, F::Body},
          {"ttl", I, false, F::Body},
          {"options", O, false, F::Body}}},
        {"subscription_list",
         api::Action::SubscriptionList,
         true,
         true,
         {kQueue, {"marker", S, false, F::Query}, {"limit", I, false, F::Query}}},
        {"subscription_get",
         api::Action::SubscriptionGet,
         true,
         true,
         {kQueue, {"subscription_id", S, true, F::SubscriptionId}}},
        {"subscription_delete",
         api::Action::SubscriptionDelete,
         true,
         true,
         {kQueue, {"subscription_id", S, true, F::SubscriptionId}}},
    };
    return table;
}

bool hasType(const json_t* value, FieldType type) {
    switch (type) {
        case FieldType::String:
            return json_is_string(value);
        case FieldType::Integer:
            return json_is_integer(value);
        case FieldType::Boolean:
            return json_is_boolean(value);
        case FieldType::Array:
            return json_is_array(value);
        case FieldType::Object:
            return json_is_object(value);
    }
    return false;
}

// Query values travel as the strings REST would carry; the api parses them the same way.
std::string queryText(const json_t* value) {
    if (json_is_string(value)) return json_string_value(value);
    if (json_is_boolean(value)) return json_is_true(value) ? "true" : "false";
    if (json_is_integer(value)) return std::to_string(json_integer_value(value));
    std::string joined;
    size_t index;
    json_t* item;
    json_array_foreach(value, index, item) {
        if (!joined.empty()) joined += ",";
        joined += json_is_string(item) ? json_string_value(item) : dumpJson(item);
    }
    return joined;
}

const char* kKnownStringHeaders[] = {"User-Agent", "Date",         "Accept",
                                     "Client-ID",  "X-Project-ID", "X-Auth-Token"};

}  // namespace

Json requestEcho(const Json& frame) {
    Json echo = Json::object();
    json_t* action = json_is_object(frame.get()) ? frame.at("action") : nullptr;
    json_t* body = json_is_object(frame.get()) ? frame.at("body") : nullptr;
    json_t* headers = json_is_object(frame.get()) ? frame.at("headers") : nullptr;
    echo.set("action", action ? Json::borrow(action) : Json::null());
    echo.set("body", body ? Json::borrow(body) : Json::object());
    echo.set("headers", headers ? Json::borrow(headers) : Json::object());
    echo.set("api", Json::string("v2"));
    return echo;
}

Json envelope(const Json& echo, int status, Json body) {
    Json frame = Json::object();
    frame.set("request", echo);
    frame.set("body", body ? std::move(body) : Json::object());
    frame.set("headers", Json::object().set("status", Json::integer(status)));
    return frame;
}

Json protocolError(const Json& echo, int status, const std::string& text) {
    return envelope(echo, status, Json::object().set("error", Json::string(text)));
}

Translation translateFrame(const Json& frame) {
    Translation result;
    Json echo = requestEcho(frame);
    if (!json_is_object(frame.get())) {
        result.immediateReply =
            protocolError(echo, 400, "Unexpected body type. Expected dict or dict like.");
        return result;
    }
    json_t* actionValue = frame.at("action");
    std::string actionName = json_is_string(actionValue) ? json_string_value(actionValue) : "None";
    const ActionSpec* spec = nullptr;
    for (const ActionSpec& candidate : actionTable())
        if (actionName == candidate.name) spec = &candidate;

    if (actionName == "authenticate") {
        // Without an auth strategy there is nothing to check (Z15 crashes here; we answer).
        result.immediateReply =
            envelope(echo, 200, Json::object().set("message", Json::string("Authentified.")));
        return result;
    }
    if (!spec) {
        result.immediateReply = protocolError(echo, 400, actionName + " is not a valid action");
        return result;
    }

    const Json schemaError = protocolError(echo, 400, "Schema validation failed.");
    json_t* headers = frame.at("headers");
    json_t* body = frame.at("body");
    if (!json_is_object(headers) || (body && !json_is_object(body)) ||
        (spec->bodyRequired && !body)) {
        result.immediateReply = schemaError;
        return result;
    }
    for (const char* name : kKnownStringHeaders) {
        json_t* value = json_object_get(headers, name);
        if (value && !json_is_string(value)) {
            result.immediateReply = schemaError;
            return result;
        }
    }
    if (spec->needsClientHeaders &&
        (!json_object_get(headers, "Client-ID") || !json_object_get(headers, "X-Project-ID"))) {
        result.immediateReply = schemaError;
        return result;
    }

    api::Request request;
    request.action = spec->action;
    request.dialect = api::Dialect::WebSocket;
    const char* key;
    json_t* value;
    json_object_foreach(headers, key, value) {
        // Zaqar's frame header keys are case-sensitive: only the exact spellings count.
        if (json_is_string(value)) request.headers[key] = json_string_value(value);
        // Signed-URL frames carry URL-Methods / URL-Paths as arrays (websocket-v2.md §4.1):
        // passed on as JSON text for the api to read.
        else if (json_is_array(value))
            request.headers[key] = dumpJson(value);
    }

    Json apiBody = Json::object();
    for (const Field& field : spec->fields) {
        json_t* member = body ? json_object_get(body, field.name) : nullptr;
        if (!member) {
            if (field.required) {
                result.immediateReply = schemaError;
                return result;
            }
            continue;
        }
        if (!hasType(member, field.type)) {
            result.immediateReply = schemaError;
            return result;
        }
        switch (field.target) {
            case Field::QueueName:
                request.queueName = json_string_value(member);
                break;
            case Field::MessageId:
                request.messageId = json_string_value(member);
                break;
            case Field::ClaimId:
                request.claimId = json_string_value(member);
                break;
            case Field::SubscriptionId:
                request.subscriptionId = json_string_value(member);
                break;
            case Field::Query:
                request.query.emplace_back(field.queryName ? field.queryName : field.name,
                                           queryText(member));
                break;
            case Field::Body:
                apiBody.set(field.name, Json::borrow(member));
                break;
        }
    }
    // queue_create's metadata is the REST PUT body itself.
    if (spec->action == api::Action::QueueCreate) {
        json_t* metadata = apiBody.at("metadata");
        apiBody = metadata ? Json::borrow(metadata) : Json::object();
    }
    request.hasBody = true;
    request.body = apiBody.dump();
    request.typedParams = body ? Json::borrow(body) : Json::object();
    request.path = "/v2/queues/" + request.queueName;
    result.request = std::move(request);
    return result;
}

}  // namespace zaqard::websocket
