// Signed-URL verification (src/api/signed_url_verifier.*): the URL-* headers of a request
// or frame, checked for a REST method and path and for a WebSocket action. Input: header
// lines "Name: value", a blank line, then "METHOD path". Byte 0 first: bit 0 replaces the
// URL-Signature with the right one for the headers (signUrl), so the fuzzer also reaches
// past the HMAC; the other bits pick the action of the frame form.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "src/api/action_table.h"
#include "src/api/signed_url.h"
#include "src/api/signed_url_verifier.h"
#include "src/common/iso_time.h"

using namespace zaqard;

namespace {

constexpr double kNow = 1700000000;  // fixed: the same input gives the same answer

std::string_view nextLine(std::string_view& text) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    return line;
}

std::vector<std::string> split(const std::string& text) {
    std::vector<std::string> items;
    size_t start = 0;
    while (true) {
        size_t comma = text.find(',', start);
        items.push_back(text.substr(start, comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return items;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const uint8_t flags = data[0];
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    api::Headers headers;
    while (!text.empty()) {
        std::string_view line = nextLine(text);
        if (line.empty()) break;
        size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view value = line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        headers[std::string(line.substr(0, colon))] = std::string(value);
    }
    std::string_view requestLine = nextLine(text);
    size_t space = requestLine.find(' ');
    std::string method(requestLine.substr(0, space));
    std::string path(space == std::string_view::npos ? std::string_view()
                                                     : requestLine.substr(space + 1));

    if (flags & 1) {
        // The signature the share endpoint would have issued for these headers.
        auto methods = split(headers["URL-Methods"]);
        auto paths = split(headers["URL-Paths"]);
        std::sort(methods.begin(), methods.end());
        std::sort(paths.begin(), paths.end());
        auto project = headers.find("X-Project-ID");
        ParsedTime expires = parseIsoTime(headers["URL-Expires"]);
        if (expires.unixSeconds)
            headers["URL-Signature"] = api::signUrl(
                "fuzz-secret", paths, methods, project == headers.end() ? "None" : project->second,
                api::formatExpires(*expires.unixSeconds));
    }
    (void)api::hasUrlSignature(headers);
    (void)api::verifySignedRequest("fuzz-secret", method, path, headers, kNow);
    (void)api::verifySignedRequest("", method, path, headers, kNow);
    const auto action = static_cast<api::Action>((flags >> 1) % api::kActionCount);
    api::PathParams params;
    params.queueName = path;
    (void)api::verifySignedFrame("fuzz-secret", action, params, headers, kNow);
    return 0;
}
