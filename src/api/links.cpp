#include "src/api/links.h"

namespace zaqard::api {

std::string percentEncode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xf];
        }
    }
    return out;
}

std::string toQueryString(const QueryPairs& params) {
    std::string out;
    for (const auto& [name, value] : params) {
        out += out.empty() ? '?' : '&';
        out += name;
        out += '=';
        out += percentEncode(value);
    }
    return out;
}

std::string nextPageHref(const std::string& path, QueryPairs read, const std::string& marker) {
    bool replaced = false;
    for (auto& entry : read) {
        if (entry.first == "marker") {
            entry.second = marker;
            replaced = true;
        }
    }
    if (!replaced) read.emplace_back("marker", marker);
    return path + toQueryString(read);
}

Json pageLinks(bool pageEmpty, const std::string& href) {
    Json links = Json::array();
    if (!pageEmpty) {
        Json link = Json::object();
        link.set("rel", Json::string("next"));
        link.set("href", Json::string(href));
        links.append(std::move(link));
    }
    return links;
}

}  // namespace zaqard::api
