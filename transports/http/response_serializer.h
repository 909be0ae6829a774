// api::Response -> HTTP/1.1 bytes, appended to an evbuffer: status line, Date,
// Content-Type (only with a body), Content-Length, the api's extra headers, X-Request-ID,
// Connection, then the body (pre-rendered text or compact JSON). No printf: the pieces are
// copied, the numbers formatted with std::to_chars, the Date cached per second.
#pragma once

#include <event2/buffer.h>

#include <string>

#include "src/api/request.h"

namespace zaqard::http {

struct ReplyFraming {
    int httpMinor = 1;
    bool head = false;             // HEAD: the headers only
    bool close = false;            // "Connection: close" (the connection ends after it)
    bool keepAliveHttp10 = false;  // an HTTP/1.0 keep-alive client: "Connection: keep-alive"
    const std::string* requestId = nullptr;
};

void serializeResponse(evbuffer* out, const api::Response& response, const ReplyFraming& framing);

// The reason phrase zaqard sends with `status`.
const char* reasonPhrase(int status);

}  // namespace zaqard::http
