#include "transports/websocket/ws_protocol.h"

#include <string_view>

#include "src/api/action_table.h"
#include "transports/websocket/frame_text.h"

namespace zaqard::websocket {

namespace {

using api::FieldType;
using api::FrameField;

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

std::optional<std::string> requestEchoText(std::string_view frameText) {
    MemberLookup action = memberText(frameText, "action");
    if (!action.ok) return std::nullopt;
    MemberLookup body = memberText(frameText, "body");
    MemberLookup headers = memberText(frameText, "headers");
    std::string echo;
    echo.reserve(frameText.size() + 40);
    echo += "{\"action\":";
    echo += action.value.value_or("null");
    echo += ",\"body\":";
    echo += body.value.value_or("{}");
    echo += ",\"headers\":";
    echo += headers.value.value_or("{}");
    echo += ",\"api\":\"v2\"}";
    return echo;
}

std::string envelopeText(std::string_view echo, int status, std::string_view body) {
    std::string frame;
    frame.reserve(echo.size() + body.size() + 48);
    frame += "{\"request\":";
    frame += echo;
    frame += ",\"body\":";
    frame += body;
    frame += ",\"headers\":{\"status\":";
    frame += std::to_string(status);
    frame += "}}";
    return frame;
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

Translation translateFrame(const Json& frame, std::string_view frameText) {
    Translation result;
    // Built only for a reply of this layer's own: a frame that goes on needs none.
    auto echo = [&frame] { return requestEcho(frame); };
    if (!json_is_object(frame.get())) {
        result.immediateReply =
            protocolError(echo(), 400, "Unexpected body type. Expected dict or dict like.");
        return result;
    }
    json_t* actionValue = frame.at("action");
    std::string actionName = json_is_string(actionValue) ? json_string_value(actionValue) : "None";
    const api::ActionSpec* spec = api::websocketAction(actionName);

    if (actionName == "authenticate") {
        // Without an auth strategy there is nothing to check (Z15 crashes here; we answer).
        result.immediateReply =
            envelope(echo(), 200, Json::object().set("message", Json::string("Authentified.")));
        return result;
    }
    if (!spec) {
        result.immediateReply = protocolError(echo(), 400, actionName + " is not a valid action");
        return result;
    }

    auto schemaError = [&echo] { return protocolError(echo(), 400, "Schema validation failed."); };
    json_t* headers = frame.at("headers");
    json_t* body = frame.at("body");
    if (!json_is_object(headers) || (body && !json_is_object(body)) ||
        (spec->websocket.bodyRequired && !body)) {
        result.immediateReply = schemaError();
        return result;
    }
    for (const char* name : kKnownStringHeaders) {
        json_t* value = json_object_get(headers, name);
        if (value && !json_is_string(value)) {
            result.immediateReply = schemaError();
            return result;
        }
    }
    // Every action but the service ones requires them in its schema.
    if (spec->checks != api::Checks::Service &&
        (!json_object_get(headers, "Client-ID") || !json_object_get(headers, "X-Project-ID"))) {
        result.immediateReply = schemaError();
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

    // The api body: the members the action takes from the frame body. Spliced from the
    // frame's text when there is one (a dump and, for a post, every message body again
    // otherwise); built from the tree when that text cannot be read.
    std::optional<std::string> splicedBody;
    MemberLookup bodyText;
    if (!frameText.empty() && body) bodyText = memberText(frameText, "body");
    if (bodyText.ok && bodyText.value) splicedBody = "{";
    Json apiBody = Json::object();
    const FrameField* wholeBody = nullptr;
    for (const FrameField& field : spec->websocket.fields) {
        if (!field.name) break;
        if (field.to == FrameField::To::WholeBody) wholeBody = &field;
        json_t* member = body ? json_object_get(body, field.name) : nullptr;
        if (!member) {
            if (field.required) {
                result.immediateReply = schemaError();
                return result;
            }
            continue;
        }
        if (!hasType(member, field.type)) {
            result.immediateReply = schemaError();
            return result;
        }
        switch (field.to) {
            case FrameField::To::Path:
                // A string (the schema says so): the path parameter of the same name.
                request.*api::pathParamMember(field.name) = json_string_value(member);
                break;
            case FrameField::To::Query:
                request.query.emplace_back(field.queryName ? field.queryName : field.name,
                                           queryText(member));
                break;
            case FrameField::To::Body:
            case FrameField::To::WholeBody:
                apiBody.set(field.name, Json::borrow(member));
                if (splicedBody && field.to == FrameField::To::Body) {
                    MemberLookup text = memberText(*bodyText.value, field.name);
                    if (!text.ok || !text.value) {
                        splicedBody.reset();
                        break;
                    }
                    if (splicedBody->size() > 1) *splicedBody += ',';
                    // Field names are plain identifiers of the action table.
                    *splicedBody += '"';
                    *splicedBody += field.name;
                    *splicedBody += "\":";
                    *splicedBody += *text.value;
                }
                break;
        }
    }
    request.hasBody = true;
    if (wholeBody) {
        // e.g. queue_create's metadata is the REST PUT body itself.
        json_t* value = apiBody.at(wholeBody->name);
        if (splicedBody) {
            MemberLookup text =
                value ? memberText(*bodyText.value, wholeBody->name) : MemberLookup{};
            if (!value)
                splicedBody = "{}";
            else if (text.ok && text.value)
                splicedBody = std::string(*text.value);
            else
                splicedBody.reset();
        }
        apiBody = value ? Json::borrow(value) : Json::object();
    } else if (splicedBody) {
        *splicedBody += '}';
    }
    request.body = splicedBody ? std::move(*splicedBody) : apiBody.dump();
    request.typedParams = body ? Json::borrow(body) : Json::object();
    request.path = "/v2/queues/" + request.queueName;
    result.request = std::move(request);
    return result;
}

}  // namespace zaqard::websocket
