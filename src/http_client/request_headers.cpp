#include "src/http_client/request_headers.h"

#include <algorithm>

namespace zaqard::http_client {

namespace {
bool headerFieldIsSafe(const std::string& text, bool isName) {
    if (isName && text.empty()) return false;
    return std::none_of(text.begin(), text.end(), [isName](char c) {
        return c == '\r' || c == '\n' || c == '\0' || (isName && (c == ':' || c == ' '));
    });
}
}  // namespace

CurlSlistPtr requestHeaderList(const std::vector<std::pair<std::string, std::string>>& headers) {
    curl_slist* list = nullptr;
    auto append = [&list](const std::string& line) {
        // curl_slist_append returns null and leaves the list alone when out of memory.
        if (curl_slist* grown = curl_slist_append(list, line.c_str())) list = grown;
    };
    for (const auto& [name, value] : headers) {
        if (!headerFieldIsSafe(name, true) || !headerFieldIsSafe(value, false)) continue;
        append(value.empty() ? name + ";" : name + ": " + value);
    }
    append("Expect:");
    return CurlSlistPtr(list);
}

}  // namespace zaqard::http_client
