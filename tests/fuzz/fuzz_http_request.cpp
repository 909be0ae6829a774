// HTTP parsing, routing and query parsing. The input's bytes first go as a wire request
// through the REST transport's parser glue (request_parser.h: llhttp + zaqard's framing
// checks and limits). Then the request (line, headers, body) goes through the same steps as
// transports/http: the target read by the transport's requestTarget (request_mapper.h:
// libevent's URI parser, the path percent-decoded by uri_codec), routed (Router), the query split
// (parseQueryString) and read by the handlers (src/api/query), then Api::handle on a
// never-started RedisDriver (api_harness.h).
// Input: "METHOD target\nName: value\n...\n\nbody". Byte 0 first picks the router options.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tests/fuzz/api_harness.h"
#include "transports/http/request_mapper.h"
#include "transports/http/request_parser.h"
#include "transports/http/router.h"
#include "transports/http/uri_codec.h"

using namespace zaqard;

namespace {

std::string_view nextLine(std::string_view& text) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    http::RouterOptions options;
    options.adminMode = data[0] & 1;
    options.pooling = data[0] & 2;
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

    {
        // Small limits so that the refusals are reached too.
        http::ParserLimits limits;
        limits.maxHeaderBytes = 512;
        limits.maxBodyBytes = 1024;
        http::RequestParser parser(limits);
        std::string_view wire = text;
        // Fed in two pieces (split by byte 0) as a socket may deliver it: the parser must
        // not depend on where reads end.
        size_t split = wire.empty() ? 0 : data[0] % (wire.size() + 1);
        std::string_view pieces[2] = {wire.substr(0, split), wire.substr(split)};
        bool stop = false;
        for (std::string_view piece : pieces) {
            for (int i = 0; i < 256 && !piece.empty() && !stop; ++i) {
                size_t used = 0;
                auto result = parser.feed(piece.data(), piece.size(), used);
                if (used > piece.size()) std::abort();
                piece.remove_prefix(used);
                if (result == http::RequestParser::Result::Refused) {
                    int status = parser.refusal().status;
                    if (status < 400 || status > 505) std::abort();
                    stop = true;
                } else if (result == http::RequestParser::Result::Request) {
                    http::ParsedRequest request = parser.take();
                    if (request.body.size() > limits.maxBodyBytes) std::abort();
                } else {
                    break;  // NeedMore: the piece is used up
                }
            }
        }
    }

    std::string_view requestLine = nextLine(text);
    size_t space = requestLine.find(' ');
    if (space == std::string_view::npos) return 0;
    std::string method(requestLine.substr(0, space));
    std::string target(requestLine.substr(space + 1));

    api::Request request;
    while (!text.empty()) {
        std::string_view line = nextLine(text);
        if (line.empty()) break;
        size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        auto [slot, inserted] =
            request.headers.emplace(std::string(line.substr(0, colon)), std::string(value));
        if (!inserted) slot->second.append(",").append(value);
    }
    request.body = std::string(text);
    request.hasBody = !request.body.empty();

    // The transport's reading of the request target (request_mapper.h).
    http::RequestTarget parsedTarget = http::requestTarget(target);
    if (!parsedTarget.valid) return 0;
    const std::string& path = parsedTarget.path;
    const std::string& rawQuery = parsedTarget.rawQuery;

    http::RouteMatch match = http::route(method, path, options);
    if (match.kind != http::RouteMatch::Kind::Found) return 0;
    request.pathParams() = match;
    request.action = match.action;
    request.allowedMethods = match.allowedMethods;
    request.method = method;
    request.path = path;
    request.query = http::parseQueryString(rawQuery);

    api::Response response = fuzz::apiHarness().run(std::move(request));
    if (response.status == 500) std::abort();
    if (response.body) (void)response.body.dump();
    return 0;
}
