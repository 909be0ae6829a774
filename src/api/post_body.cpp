#include "src/api/post_body.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>

namespace zaqard::api {

namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

// jansson's JSON_PARSER_MAX_DEPTH: it counts every value, the root being 1.
constexpr int kMaxDepth = 2048;

constexpr std::string_view kWhitespace = " \t\r\n";

std::string_view trimRight(std::string_view text) {
    size_t end = text.find_last_not_of(kWhitespace);
    return end == std::string_view::npos ? std::string_view() : text.substr(0, end + 1);
}

// jansson refuses \u0000 (no JSON_ALLOW_NUL), and stored bodies are read back by jansson.
bool hasNul(std::string_view text) {
    return std::memchr(text.data(), '\0', text.size()) != nullptr;
}

// On-Demand reads a value only when asked: walking every value is what makes the whole
// document validated (numbers, literals, escapes), not just its brackets and UTF-8.
class Walker {
  public:
    explicit Walker(od::document& document) : document_(document) {}

    error_code validate(od::value value, int depth) {
        if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
        od::json_type type;
        SIMDJSON_TRY(value.type().get(type));
        switch (type) {
            case od::json_type::object: {
                od::object object;
                SIMDJSON_TRY(value.get_object().get(object));
                for (auto member : object) {
                    od::field field;
                    SIMDJSON_TRY(std::move(member).get(field));
                    std::string_view key;
                    SIMDJSON_TRY(field.unescaped_key().get(key));
                    if (hasNul(key)) return simdjson::STRING_ERROR;
                    SIMDJSON_TRY(validate(field.value(), depth + 1));
                }
                return simdjson::SUCCESS;
            }
            case od::json_type::array: {
                od::array array;
                SIMDJSON_TRY(value.get_array().get(array));
                for (auto element : array) {
                    od::value item;
                    SIMDJSON_TRY(std::move(element).get(item));
                    SIMDJSON_TRY(validate(item, depth + 1));
                }
                return simdjson::SUCCESS;
            }
            case od::json_type::number:
                return validateNumber(value, nullptr);
            case od::json_type::string: {
                std::string_view text;
                SIMDJSON_TRY(value.get_string().get(text));
                return hasNul(text) ? simdjson::STRING_ERROR : simdjson::SUCCESS;
            }
            case od::json_type::boolean: {
                bool flag;
                return value.get_bool().get(flag);
            }
            case od::json_type::null: {
                bool isNull = false;
                SIMDJSON_TRY(value.is_null().get(isNull));
                return isNull ? simdjson::SUCCESS : simdjson::INCORRECT_TYPE;
            }
        }
        return simdjson::TAPE_ERROR;
    }

    // Validates the value and gives its bytes, without the whitespace after it.
    error_code capture(od::value value, int depth, std::string_view& raw) {
        const char* start = value.raw_json_token().data();
        SIMDJSON_TRY(validate(value, depth));
        // The iterator now stands on the token after the value (',' or '}' in a message).
        const char* end = nullptr;
        SIMDJSON_TRY(document_.current_location().get(end));
        raw = trimRight(std::string_view(start, static_cast<size_t>(end - start)));
        return simdjson::SUCCESS;
    }

    // ttl, delay, idempotency_key, group: as the jansson value json_loadb would make.
    error_code field(od::value value, int depth, Json& out) {
        od::json_type type;
        SIMDJSON_TRY(value.type().get(type));
        switch (type) {
            case od::json_type::number:
                return validateNumber(value, &out);
            case od::json_type::string: {
                std::string_view text;
                SIMDJSON_TRY(value.get_string().get(text));
                if (hasNul(text)) return simdjson::STRING_ERROR;
                out = Json::string(text);
                return simdjson::SUCCESS;
            }
            case od::json_type::boolean: {
                bool flag = false;
                SIMDJSON_TRY(value.get_bool().get(flag));
                out = Json::boolean(flag);
                return simdjson::SUCCESS;
            }
            default: {
                // null, objects and arrays (rare, and refused by the checks that follow):
                // jansson reads the validated text.
                std::string_view raw;
                SIMDJSON_TRY(capture(value, depth, raw));
                out = parseJsonValue(raw);
                return out ? simdjson::SUCCESS : simdjson::TAPE_ERROR;
            }
        }
    }

    error_code item(od::value value, int depth, PostItem& out) {
        if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
        od::json_type type;
        SIMDJSON_TRY(value.type().get(type));
        if (type != od::json_type::object) return validate(value, depth);
        out.isObject = true;
        od::object object;
        SIMDJSON_TRY(value.get_object().get(object));
        for (auto member : object) {
            od::field entry;
            SIMDJSON_TRY(std::move(member).get(entry));
            std::string_view key;
            SIMDJSON_TRY(entry.unescaped_key().get(key));
            if (hasNul(key)) return simdjson::STRING_ERROR;
            // A repeated key: the last one counts, as in jansson and Python.
            if (key == "body") {
                std::string_view raw;
                SIMDJSON_TRY(capture(entry.value(), depth + 1, raw));
                out.body.emplace(raw);
            } else if (isPostItemField(key)) {
                Json value;
                SIMDJSON_TRY(field(entry.value(), depth + 1, value));
                if (!out.fields) out.fields = Json::object();
                json_object_setn_new(out.fields.get(), key.data(), key.size(), value.release());
            } else {
                SIMDJSON_TRY(validate(entry.value(), depth + 1));
            }
        }
        return simdjson::SUCCESS;
    }

    error_code messages(od::value value, PostDocument& out) {
        out.hasMessages = true;
        out.messagesIsArray = false;
        out.items.clear();
        od::json_type type;
        SIMDJSON_TRY(value.type().get(type));
        if (type != od::json_type::array) return validate(value, 2);
        out.messagesIsArray = true;
        od::array array;
        SIMDJSON_TRY(value.get_array().get(array));
        for (auto element : array) {
            od::value message;
            SIMDJSON_TRY(std::move(element).get(message));
            SIMDJSON_TRY(item(message, 3, out.items.emplace_back()));
        }
        return simdjson::SUCCESS;
    }

    error_code document(PostDocument& out) {
        od::json_type type;
        SIMDJSON_TRY(document_.type().get(type));
        if (type == od::json_type::array) {  // v1's bare array: "no messages", once valid
            od::value root;
            SIMDJSON_TRY(document_.get_value().get(root));
            SIMDJSON_TRY(validate(root, 1));
        } else if (type == od::json_type::object) {
            od::object root;
            SIMDJSON_TRY(document_.get_object().get(root));
            for (auto member : root) {
                od::field entry;
                SIMDJSON_TRY(std::move(member).get(entry));
                std::string_view key;
                SIMDJSON_TRY(entry.unescaped_key().get(key));
                if (hasNul(key)) return simdjson::STRING_ERROR;
                if (key == "messages") {
                    SIMDJSON_TRY(messages(entry.value(), out));
                } else {
                    SIMDJSON_TRY(validate(entry.value(), 2));
                }
            }
        } else {
            return simdjson::INCORRECT_TYPE;  // a scalar: jansson names the error
        }
        // Anything after the document is an error (jansson checks for EOF).
        const char* rest = nullptr;
        if (document_.current_location().get(rest) != simdjson::OUT_OF_BOUNDS)
            return simdjson::TRAILING_CONTENT;
        return simdjson::SUCCESS;
    }

  private:
    // An integer must fit jansson's json_int_t (int64), a real a double (jansson reports
    // both overflows with its own error, which Zaqar's text depends on).
    error_code validateNumber(od::value value, Json* out) {
        std::string_view token = value.raw_json_token();
        if (token.find_first_of(".eE") == std::string_view::npos) {
            int64_t integer = 0;
            SIMDJSON_TRY(value.get_int64().get(integer));
            if (out) *out = Json::integer(integer);
        } else {
            double real = 0;
            SIMDJSON_TRY(value.get_double().get(real));
            if (out) *out = Json::adopt(json_real(real));
        }
        return simdjson::SUCCESS;
    }

    od::document& document_;
};

// A parser holds about 7 bytes per input byte (structural indexes, string buffer): one
// per thread is kept for documents up to this size, a larger one gets its own parser.
constexpr size_t kKeptCapacity = 1024 * 1024;

// One parser and one padded copy per thread (a shard's loop thread), reused from post to
// post: On-Demand reads up to SIMDJSON_PADDING bytes past the end of its input.
struct Reader {
    od::parser parser;
    std::string padded;
    bool allocated = false;

    PostDocument read(std::string_view text) {
        // Room for the depth we walk to (development checks index by depth).
        if (!allocated && parser.allocate(std::max<size_t>(text.size(), 64 * 1024),
                                          kMaxDepth + 2) != simdjson::SUCCESS)
            return readPostBodyWithJansson(text);
        allocated = true;
        padded.assign(text);
        padded.append(simdjson::SIMDJSON_PADDING, '\0');
        PostDocument out;
        od::document document;
        if (parser.iterate(padded.data(), text.size(), padded.size()).get(document) !=
            simdjson::SUCCESS)
            return readPostBodyWithJansson(text);
        Walker walker(document);
        // Refused here is refused, or (e.g. an integer beyond int64) read differently, by
        // jansson: it gives the answer and Zaqar's error text.
        if (walker.document(out) != simdjson::SUCCESS) return readPostBodyWithJansson(text);
        return out;
    }
};

}  // namespace

bool isPostItemField(std::string_view key) {
    return key == "ttl" || key == "delay" || key == "idempotency_key" || key == "group";
}

PostDocument readPostBody(std::string_view text) {
    if (text.find_first_not_of(kWhitespace) == std::string_view::npos)
        return readPostBodyWithJansson(text);  // empty or blank: jansson names the error
    if (text.size() > kKeptCapacity) {
        Reader once;
        return once.read(text);
    }
    thread_local Reader reader;
    return reader.read(text);
}

PostDocument readPostBodyWithJansson(std::string_view text) {
    PostDocument out;
    JsonParseResult parsed = parseJsonBody(text);
    if (parsed.error != JsonParseError::None) {
        out.error = parsed.error;
        return out;
    }
    const json_t* messages = json_object_get(parsed.value.get(), "messages");
    if (messages == nullptr) return out;  // also a bare array (v1)
    out.hasMessages = true;
    if (!json_is_array(messages)) return out;
    out.messagesIsArray = true;
    size_t index;
    json_t* message;
    json_array_foreach(messages, index, message) {
        PostItem& item = out.items.emplace_back();
        if (!json_is_object(message)) continue;
        item.isObject = true;
        const char* key;
        json_t* value;
        json_object_foreach(message, key, value) {
            if (std::strcmp(key, "body") == 0) {
                item.body = dumpJson(value);
            } else if (isPostItemField(key)) {
                if (!item.fields) item.fields = Json::object();
                item.fields.set(key, Json::borrow(value));
            }
        }
    }
    return out;
}

}  // namespace zaqard::api
