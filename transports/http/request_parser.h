// The parser glue of the REST listener: llhttp (Node's HTTP/1.1 parser, compiled from
// Debian's node-llhttp) plus the strict-framing checks llhttp 8 leaves out, turning a
// connection's bytes into complete requests one at a time (docs/security.md "HTTP
// strictness").
//
// What it refuses, and why (request smuggling lives in lenient parsers): header names that
// are no token ("Content-Length : 5"), folded header lines, a Transfer-Encoding other than
// exactly "chunked", two Content-Lengths or a malformed one (llhttp), HTTP versions other
// than 1.0/1.1, methods zaqard does not serve, a body on HEAD/TRACE, an Expect other than
// 100-continue; the limits: request line + headers over maxHeaderBytes (414/431), a body
// over maxBodyBytes (413, decided from Content-Length before the body is read).
//
// No sockets, no libevent: the fuzz harness and the unit tests drive it directly.
#pragma once

#include <llhttp.h>

#include <cstddef>
#include <string>

#include "src/api/request.h"

namespace zaqard::http {

// One complete request as the transport serves it. The client's framing is gone: the
// body is de-chunked; Content-Length, Transfer-Encoding and Expect are not in `headers`.
struct ParsedRequest {
    std::string method;    // "GET", "POST", ...
    std::string target;    // the request target as sent
    api::Headers headers;  // repeated headers joined with ","
    std::string body;
    int httpMinor = 1;
    bool keepAlive = true;          // HTTP/1.1 without "Connection: close", or 1.0 keep-alive
    bool hasContentLength = false;  // a Content-Length header was sent (even 0)
    bool isHead = false;
};

// Why a request was refused: answered with Zaqar's JSON error body, then the connection is
// closed. `reason` is the metrics label (zaqard_connections_rejected_total) or null when
// the refusal is not a limit (malformed request).
struct Refusal {
    int status = 0;
    std::string title;
    std::string description;
    const char* reason = nullptr;
};

struct ParserLimits {
    size_t maxHeaderBytes = 32768;
    size_t maxBodyBytes = 8388608;
};

class RequestParser {
  public:
    explicit RequestParser(const ParserLimits& limits);
    RequestParser(const RequestParser&) = delete;
    RequestParser& operator=(const RequestParser&) = delete;

    enum class Result {
        NeedMore,  // all of the input was used; no complete request yet
        Request,   // a request is complete (take()); `used` bytes were consumed
        Refused,   // refusal(): answer it and close; the rest of the input is garbage
    };
    // Parses from `data`; sets `used` to the bytes consumed (all of them for NeedMore).
    Result feed(const char* data, size_t size, size_t& used);
    ParsedRequest take() { return std::move(request_); }
    const Refusal& refusal() const { return refusal_; }

    // Headers complete and the client asked for "Expect: 100-continue" with a body still to
    // come: set once per request, cleared by the caller.
    bool continueWanted() const { return continueWanted_; }
    void clearContinue() { continueWanted_ = false; }

    enum class Phase { Idle, Head, Body };
    Phase phase() const { return phase_; }

  private:
    static int onMessageBegin(llhttp_t* parser);
    static int onMethod(llhttp_t* parser, const char* at, size_t length);
    static int onUrl(llhttp_t* parser, const char* at, size_t length);
    static int onHeaderField(llhttp_t* parser, const char* at, size_t length);
    static int onHeaderFieldComplete(llhttp_t* parser);
    static int onHeaderValue(llhttp_t* parser, const char* at, size_t length);
    static int onHeaderValueComplete(llhttp_t* parser);
    static int onHeadersComplete(llhttp_t* parser);
    static int onBody(llhttp_t* parser, const char* at, size_t length);
    static int onMessageComplete(llhttp_t* parser);
    static const llhttp_settings_t& settings();

    int fail(int status, const char* title, std::string description, const char* reason);
    bool countHead(size_t bytes, bool inRequestLine);
    void refuseParse(llhttp_errno_t error, const char* data, size_t size);

    ParserLimits limits_;
    llhttp_t parser_;
    Phase phase_ = Phase::Idle;
    ParsedRequest request_;
    std::string field_;
    std::string value_;
    size_t headBytes_ = 0;
    bool expectContinue_ = false;
    bool continueWanted_ = false;
    Refusal refusal_;
};

}  // namespace zaqard::http
