#include "transports/http/response_serializer.h"

#include <event2/util.h>
#include <strings.h>

#include <charconv>
#include <cstring>
#include <ctime>

namespace zaqard::http {

namespace {

void add(evbuffer* out, const char* text) {
    evbuffer_add(out, text, std::strlen(text));
}
void add(evbuffer* out, const std::string& text) {
    evbuffer_add(out, text.data(), text.size());
}
void addNumber(evbuffer* out, uint64_t value) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
    (void)ec;
    evbuffer_add(out, digits, static_cast<size_t>(end - digits));
}

// "Date: ..." as evhttp sent it, formatted once per second per thread.
void addDate(evbuffer* out) {
    thread_local time_t cachedAt = 0;
    thread_local char line[64];
    thread_local size_t length = 0;
    time_t now = std::time(nullptr);
    if (now != cachedAt || length == 0) {
        cachedAt = now;
        struct tm utc;
        gmtime_r(&now, &utc);
        char date[50];
        int n = evutil_date_rfc1123(date, sizeof date, &utc);
        if (n <= 0) return;
        length = 0;
        std::memcpy(line, "Date: ", 6);
        std::memcpy(line + 6, date, static_cast<size_t>(n));
        std::memcpy(line + 6 + n, "\r\n", 2);
        length = 6 + static_cast<size_t>(n) + 2;
    }
    evbuffer_add(out, line, length);
}

// evhttp_response_needs_body: no body (and no Content-Length) for 1xx, 204, 304.
bool statusHasBody(int status) {
    return status != 204 && status != 304 && (status < 100 || status >= 200);
}

}  // namespace

const char* reasonPhrase(int status) {
    switch (status) {
        case 100:
            return "Continue";
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 202:
            return "Accepted";
        case 204:
            return "No Content";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Found";
        case 304:
            return "Not Modified";
        case 307:
            return "Temporary Redirect";
        case 308:
            return "Permanent Redirect";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 406:
            return "Not Acceptable";
        case 408:
            return "Request Timeout";
        case 409:
            return "Conflict";
        case 410:
            return "Gone";
        case 411:
            return "Length Required";
        case 412:
            return "Precondition Failed";
        case 413:
            return "Request Entity Too Large";
        case 414:
            return "Request-URI Too Long";
        case 415:
            return "Unsupported Media Type";
        case 417:
            return "Expectation Failed";
        case 422:
            return "Unprocessable Entity";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        case 505:
            return "HTTP Version Not Supported";
        default:
            return status < 200   ? "Informational"
                   : status < 300 ? "Success"
                   : status < 400 ? "Redirection"
                   : status < 500 ? "Client Error"
                                  : "Server Error";
    }
}

void serializeResponse(evbuffer* out, const api::Response& response, const ReplyFraming& framing) {
    std::string dumped;
    const std::string* body = &response.rawBody;
    if (response.rawBody.empty() && response.body) {
        dumped = response.body.dump();
        body = &dumped;
    }
    const bool sendsBody = statusHasBody(response.status) && !framing.head;

    add(out, framing.httpMinor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ");
    addNumber(out, static_cast<uint64_t>(response.status < 0 ? 0 : response.status));
    evbuffer_add(out, " ", 1);
    add(out, reasonPhrase(response.status));
    evbuffer_add(out, "\r\n", 2);
    if (framing.httpMinor >= 1) addDate(out);
    if (!body->empty() && !response.contentType.empty()) {
        add(out, "Content-Type: ");
        add(out, response.contentType);
        evbuffer_add(out, "\r\n", 2);
    }
    bool explicitLength = false;
    for (const auto& [name, value] : response.headers) {
        if (strcasecmp(name.c_str(), "Content-Length") == 0) explicitLength = true;
        add(out, name);
        evbuffer_add(out, ": ", 2);
        add(out, value);
        evbuffer_add(out, "\r\n", 2);
    }
    // As evhttp: a length for every answer that can have a body; none for 1xx/204/304 and
    // HEAD (the console's HEAD names GET's length itself).
    if (!explicitLength && statusHasBody(response.status) && !framing.head) {
        add(out, "Content-Length: ");
        addNumber(out, body->size());
        evbuffer_add(out, "\r\n", 2);
    }
    if (framing.requestId && !framing.requestId->empty()) {
        add(out, "X-Request-ID: ");
        add(out, *framing.requestId);
        evbuffer_add(out, "\r\n", 2);
    }
    if (framing.close)
        add(out, "Connection: close\r\n");
    else if (framing.keepAliveHttp10)
        add(out, "Connection: keep-alive\r\n");
    evbuffer_add(out, "\r\n", 2);
    if (sendsBody && !body->empty()) evbuffer_add(out, body->data(), body->size());
}

}  // namespace zaqard::http
