#include "src/common/json.h"

#include <cstdlib>
#include <cstring>

namespace zaqard {

namespace {

// jansson writes through a callback; we append to a std::string to avoid a malloc'd copy.
int appendToString(const char* buffer, size_t size, void* data) {
    static_cast<std::string*>(data)->append(buffer, size);
    return 0;
}

// 15 significant digits: round-trips what we compute (durations, ratios) without the
// binary noise of 17 ("0.00046000000000000001").
constexpr size_t kDumpFlags =
    JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15);

}  // namespace

std::string dumpJson(const json_t* value) {
    std::string out;
    if (value == nullptr) return "null";
    json_dump_callback(value, appendToString, &out, kDumpFlags);
    return out;
}

std::string Json::dump() const {
    return dumpJson(value_);
}

JsonParseResult parseJsonBody(std::string_view text) {
    JsonParseResult result;
    size_t start = text.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) {
        result.error = text.empty() ? JsonParseError::Empty : JsonParseError::Invalid;
        return result;
    }
    json_error_t error;
    json_t* value = json_loadb(text.data(), text.size(), JSON_DECODE_ANY, &error);
    if (value == nullptr) {
        // jansson reports integer overflow with this code; Zaqar has its own text for it.
        result.error = json_error_code(&error) == json_error_numeric_overflow
                           ? JsonParseError::IntegerTooLarge
                           : JsonParseError::Invalid;
        return result;
    }
    result.value = Json::adopt(value);
    if (!json_is_object(value) && !json_is_array(value))
        result.error = JsonParseError::NotContainer;
    return result;
}

Json parseJsonValue(std::string_view text) {
    json_error_t error;
    return Json::adopt(json_loadb(text.data(), text.size(), JSON_DECODE_ANY, &error));
}

}  // namespace zaqard
