// Pretty-printed with two-space indents so that a JSON result is also readable by people.
#include "loadgen/json_writer.h"

#include <cmath>
#include <cstdio>

namespace zqbench {

void JsonWriter::indent() {
    out_.push_back('\n');
    out_.append(first_.size() * 2, ' ');
}

void JsonWriter::separate() {
    if (afterKey_) {
        afterKey_ = false;
        return;
    }
    if (!first_.empty()) {
        if (!first_.back()) out_.push_back(',');
        first_.back() = false;
        indent();
    }
}

JsonWriter& JsonWriter::beginObject() {
    separate();
    out_.push_back('{');
    first_.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::endObject() {
    const bool empty = first_.back();
    first_.pop_back();
    if (!empty) indent();
    out_.push_back('}');
    return *this;
}

JsonWriter& JsonWriter::beginArray() {
    separate();
    out_.push_back('[');
    first_.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::endArray() {
    const bool empty = first_.back();
    first_.pop_back();
    if (!empty) indent();
    out_.push_back(']');
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
    value(name);
    out_.append(": ");
    afterKey_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
    separate();
    out_.push_back('"');
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out_.push_back('\\');
            out_.push_back(ch);
        } else if (c < 0x20) {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\u%04x", c);
            out_.append(esc);
        } else {
            out_.push_back(ch);
        }
    }
    out_.push_back('"');
    return *this;
}

JsonWriter& JsonWriter::value(double number) {
    separate();
    if (!std::isfinite(number)) {
        out_.append("null");
        return *this;
    }
    char text[64];
    const int n = std::snprintf(text, sizeof text, "%.10g", number);
    out_.append(text, static_cast<size_t>(n));
    return *this;
}

JsonWriter& JsonWriter::value(uint64_t number) {
    separate();
    out_.append(std::to_string(number));
    return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
    separate();
    out_.append(flag ? "true" : "false");
    return *this;
}

}  // namespace zqbench
