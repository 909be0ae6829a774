#include "src/api/query.h"

#include "src/api/python_compat.h"

namespace zaqard::api {

QueryParams::QueryParams(const QueryPairs& query) {
    for (const auto& [name, value] : query) {
        // keep_blank_qs_values = False: "marker=" is as if it was not sent.
        if (value.empty()) continue;
        auto [it, inserted] = values_.try_emplace(name);
        if (inserted) order_.push_back(name);
        // auto_parse_qs_csv = True: blank elements of "a,,b" are dropped too.
        size_t start = 0;
        while (start <= value.size()) {
            size_t comma = value.find(',', start);
            if (comma == std::string::npos) comma = value.size();
            if (comma > start) it->second.push_back(value.substr(start, comma - start));
            start = comma + 1;
        }
    }
}

std::optional<std::string> QueryParams::getString(const std::string& name) {
    auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) return std::nullopt;
    remember(name, it->second.back());
    return it->second.back();
}

Rejection QueryParams::getInt(const std::string& name, std::optional<int64_t>& out) {
    out.reset();
    auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) return std::nullopt;
    auto value = py::parseInt(it->second.back());
    if (!value) return invalidIntParameter(name);
    out = *value;
    remember(name, std::to_string(*value));
    return std::nullopt;
}

Rejection QueryParams::getBool(const std::string& name, std::optional<bool>& out) {
    out.reset();
    auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) return std::nullopt;
    auto value = parseFalconBool(it->second.back());
    if (!value) return invalidBoolParameter(name);
    out = *value;
    remember(name, *value ? "true" : "false");
    return std::nullopt;
}

std::optional<std::vector<std::string>> QueryParams::getList(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

void QueryParams::setRead(const std::string& name, const std::string& value) {
    for (auto& entry : read_) {
        if (entry.first == name) {
            entry.second = value;
            return;
        }
    }
    read_.emplace_back(name, value);
}

void QueryParams::remember(const std::string& name, const std::string& value) {
    setRead(name, value);
}

std::optional<bool> parseFalconBool(const std::string& text) {
    static const char* const kTrue[] = {"true", "True", "t", "yes", "y", "1", "on"};
    static const char* const kFalse[] = {"false", "False", "f", "no", "n", "0", "off"};
    for (const char* word : kTrue)
        if (text == word) return true;
    for (const char* word : kFalse)
        if (text == word) return false;
    return std::nullopt;
}

}  // namespace zaqard::api
