#include "transports/http/request_mapper.h"

#include <event2/http.h>

#include "transports/http/uri_codec.h"

namespace zaqard::http {

RequestTarget requestTarget(const std::string& text) {
    RequestTarget target;
    // libevent's URI parser (a utility of event2/http.h, no server): the same reading of
    // the target that evhttp gave zaqard before, absolute form included.
    evhttp_uri* uri = evhttp_uri_parse_with_flags(text.c_str(), EVHTTP_URI_NONCONFORMANT);
    if (!uri) return target;
    target.valid = true;
    if (const char* path = evhttp_uri_get_path(uri)) target.path = percentDecode(path, false);
    if (const char* query = evhttp_uri_get_query(uri)) target.rawQuery = query;
    evhttp_uri_free(uri);
    return target;
}

const std::string& headerValue(const api::Headers& headers, const char* name) {
    static const std::string kNone;
    auto found = headers.find(name);
    return found == headers.end() ? kNone : found->second;
}

void mapRequest(ParsedRequest&& request, const RequestTarget& target, api::Request& out) {
    out.headers = std::move(request.headers);
    out.query = parseQueryString(target.rawQuery);
    out.path = target.path;
    // Chunked uploads carry no Content-Length but still have a body.
    out.hasBody = request.hasContentLength || !request.body.empty();
    out.body = std::move(request.body);
}

}  // namespace zaqard::http
