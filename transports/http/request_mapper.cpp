#include "transports/http/request_mapper.h"

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>

#include "transports/http/uri_codec.h"

namespace zaqard::http {

const char* methodName(evhttp_cmd_type type) {
    switch (type) {
        case EVHTTP_REQ_GET:
            return "GET";
        case EVHTTP_REQ_POST:
            return "POST";
        case EVHTTP_REQ_HEAD:
            return "HEAD";
        case EVHTTP_REQ_PUT:
            return "PUT";
        case EVHTTP_REQ_DELETE:
            return "DELETE";
        case EVHTTP_REQ_OPTIONS:
            return "OPTIONS";
        case EVHTTP_REQ_TRACE:
            return "TRACE";
        case EVHTTP_REQ_CONNECT:
            return "CONNECT";
        case EVHTTP_REQ_PATCH:
            return "PATCH";
    }
    return "";
}

RequestTarget requestTarget(evhttp_request* request) {
    RequestTarget target;
    const evhttp_uri* uri = evhttp_request_get_evhttp_uri(request);
    if (!uri) return target;
    if (const char* path = evhttp_uri_get_path(uri)) target.path = percentDecode(path, false);
    if (const char* query = evhttp_uri_get_query(uri)) target.rawQuery = query;
    return target;
}

std::string headerValue(evhttp_request* request, const char* name) {
    const char* value = evhttp_find_header(evhttp_request_get_input_headers(request), name);
    return value ? std::string(value) : std::string();
}

void mapRequest(evhttp_request* request, const RequestTarget& target, api::Request& out) {
    evkeyvalq* headers = evhttp_request_get_input_headers(request);
    bool contentLength = false;
    for (evkeyval* header = headers->tqh_first; header; header = header->next.tqe_next) {
        auto [slot, inserted] = out.headers.emplace(header->key, header->value);
        if (!inserted) slot->second.append(",").append(header->value);
        if (evutil_ascii_strcasecmp(header->key, "Content-Length") == 0) contentLength = true;
    }
    out.query = parseQueryString(target.rawQuery);
    out.path = target.path;

    evbuffer* input = evhttp_request_get_input_buffer(request);
    size_t length = evbuffer_get_length(input);
    out.body.resize(length);
    if (length) evbuffer_copyout(input, out.body.data(), length);
    // Chunked uploads carry no Content-Length but still have a body.
    out.hasBody = contentLength || length > 0;
}

}  // namespace zaqard::http
