// RAII ownership of jansson values and the few helpers every layer needs.
#pragma once

#include <jansson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace zaqard {

// Owns one reference to a json_t. Copying takes another reference (json_incref),
// so a Json can be shared the way jansson intends without manual refcounting.
class Json {
  public:
    Json() = default;
    // Adopts a new reference (what json_object(), json_loads(), ... return).
    static Json adopt(json_t* value) { return Json(value); }
    // Takes an additional reference to a borrowed value (what json_object_get() returns).
    static Json borrow(json_t* value) { return Json(json_incref(value)); }

    Json(const Json& other) : value_(json_incref(other.value_)) {}
    Json(Json&& other) noexcept : value_(std::exchange(other.value_, nullptr)) {}
    Json& operator=(Json other) noexcept {
        std::swap(value_, other.value_);
        return *this;
    }
    ~Json() { json_decref(value_); }

    json_t* get() const { return value_; }
    // Gives up ownership, e.g. for json_object_set_new().
    json_t* release() { return std::exchange(value_, nullptr); }
    explicit operator bool() const { return value_ != nullptr; }

    static Json object() { return adopt(json_object()); }
    static Json array() { return adopt(json_array()); }
    static Json string(std::string_view s) { return adopt(json_stringn(s.data(), s.size())); }
    static Json integer(int64_t v) { return adopt(json_integer(v)); }
    static Json boolean(bool v) { return adopt(json_boolean(v)); }
    static Json null() { return adopt(json_null()); }

    // Object helpers (no-ops on non-objects).
    Json& set(const char* key, Json value) {
        json_object_set_new(value_, key, value.release());
        return *this;
    }
    Json& set(const std::string& key, Json value) { return set(key.c_str(), std::move(value)); }
    json_t* at(const char* key) const { return json_object_get(value_, key); }
    // Array helper.
    Json& append(Json value) {
        json_array_append_new(value_, value.release());
        return *this;
    }

    // Compact UTF-8 output (not ASCII-escaped), keys in insertion order.
    std::string dump() const;

  private:
    explicit Json(json_t* value) : value_(value) {}
    json_t* value_ = nullptr;
};

// Why a body failed to parse, mapped by the api layer onto Zaqar's error texts.
enum class JsonParseError { None, Empty, Invalid, IntegerTooLarge, NotContainer };

struct JsonParseResult {
    Json value;
    JsonParseError error = JsonParseError::None;
};

// Parses a request body: must be an object or array (Zaqar rejects scalars).
JsonParseResult parseJsonBody(std::string_view text);

// Parses any JSON value (scalars allowed), e.g. a message body stored in Redis.
Json parseJsonValue(std::string_view text);

std::string dumpJson(const json_t* value);

}  // namespace zaqard
