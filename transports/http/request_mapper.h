// A parsed request (request_parser.h) -> the pieces the transport checks and the
// api::Request it builds.
#pragma once

#include <string>

#include "src/api/request.h"
#include "transports/http/request_parser.h"

namespace zaqard::http {

// The path (percent-decoded, as WSGI's PATH_INFO) and the raw query of the request target
// (origin or absolute form, parsed as evhttp did: evhttp_uri_parse, non-conformant flag).
// `valid` is false for a target that is no URI reference.
struct RequestTarget {
    std::string path;
    std::string rawQuery;
    bool valid = false;
};
RequestTarget requestTarget(const std::string& target);

// Header value or "" (names are case-insensitive; repeated headers joined with ",").
const std::string& headerValue(const api::Headers& headers, const char* name);

// Moves headers, the body and hasBody (a Content-Length was sent, or a chunked body) into
// `out`, with the query pairs and the path.
void mapRequest(ParsedRequest&& request, const RequestTarget& target, api::Request& out);

}  // namespace zaqard::http
