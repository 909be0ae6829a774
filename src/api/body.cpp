#include "src/api/body.h"

#include "src/api/python_compat.h"

namespace zaqard::api {

Rejection deserializeBody(const Request& request, Json& out) {
    if (!request.hasBody) return badRequestBody("Request body can not be empty");
    JsonParseResult parsed = parseJsonBody(request.body);
    if (parsed.error == JsonParseError::None) out = std::move(parsed.value);
    return parseRejection(parsed.error);
}

Rejection parseRejection(JsonParseError error) {
    switch (error) {
        case JsonParseError::None:
            return std::nullopt;
        case JsonParseError::IntegerTooLarge:
            return badRequestBody("JSON contains integer that is too large.");
        case JsonParseError::Empty:
        case JsonParseError::Invalid:
        case JsonParseError::NotContainer:
            break;
    }
    return badRequestBody("Request body could not be parsed.");
}

Rejection checkedIntField(const json_t* document, const char* name, int64_t fallback,
                          int64_t& out) {
    const json_t* value = json_object_get(document, name);
    if (value == nullptr) {
        out = fallback;
        return std::nullopt;
    }
    if (json_is_integer(value)) {
        out = json_integer_value(value);
        return std::nullopt;
    }
    // bool is an int in Python: it passes here and fails the range checks that follow.
    if (json_is_boolean(value)) {
        out = json_is_true(value) ? 1 : 0;
        return std::nullopt;
    }
    return badRequestBody(std::string("The value of the \"") + name + "\" field must be a int.");
}

size_t measuredSize(const Request& request, const char* member) {
    if (request.dialect != Dialect::WebSocket) return request.body.size();
    const json_t* value = json_object_get(request.typedParams.get(), member);
    return value ? py::strLength(value) : 2;  // str({})
}

}  // namespace zaqard::api
