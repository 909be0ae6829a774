// evhttp request -> the pieces the transport checks and the api::Request it builds.
#pragma once

#include <event2/http.h>

#include <string>

#include "src/api/request.h"

namespace zaqard::http {

// "GET", "PATCH", ... for an evhttp command; "" for one we do not know.
const char* methodName(evhttp_cmd_type type);

// The path (percent-decoded, as WSGI's PATH_INFO) and the raw query of the request URI.
struct RequestTarget {
    std::string path;
    std::string rawQuery;
};
RequestTarget requestTarget(evhttp_request* request);

// Header value or "" (first occurrence; names are case-insensitive).
std::string headerValue(evhttp_request* request, const char* name);

// Fills headers (repeated headers joined with ","), query pairs, body/hasBody and path.
void mapRequest(evhttp_request* request, const RequestTarget& target, api::Request& out);

}  // namespace zaqard::http
