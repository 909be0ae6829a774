#include "transports/http/request_parser.h"

#include <cstring>

namespace zaqard::http {

namespace {

// RFC 9110 tchar: what a header name or a method may be made of.
bool isTokenChar(unsigned char c) {
    if (c >= '0' && c <= '9') return true;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
    return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool equalsLower(const std::string& text, const char* lower) {
    size_t n = std::strlen(lower);
    if (text.size() != n) return false;
    for (size_t i = 0; i < n; ++i)
        if (static_cast<char>(std::tolower(static_cast<unsigned char>(text[i]))) != lower[i])
            return false;
    return true;
}

bool methodServed(uint8_t method) {
    switch (method) {
        case HTTP_GET:
        case HTTP_HEAD:
        case HTTP_POST:
        case HTTP_PUT:
        case HTTP_PATCH:
        case HTTP_DELETE:
        case HTTP_OPTIONS:
        case HTTP_TRACE:  // the router answers 405 with the path's Allow
            return true;
        default:
            return false;
    }
}

RequestParser& parserOf(llhttp_t* parser) {
    return *static_cast<RequestParser*>(parser->data);
}

}  // namespace

const llhttp_settings_t& RequestParser::settings() {
    static const llhttp_settings_t table = [] {
        llhttp_settings_t s;
        llhttp_settings_init(&s);
        s.on_message_begin = &RequestParser::onMessageBegin;
        s.on_method = &RequestParser::onMethod;
        s.on_url = &RequestParser::onUrl;
        s.on_header_field = &RequestParser::onHeaderField;
        s.on_header_field_complete = &RequestParser::onHeaderFieldComplete;
        s.on_header_value = &RequestParser::onHeaderValue;
        s.on_header_value_complete = &RequestParser::onHeaderValueComplete;
        s.on_headers_complete = &RequestParser::onHeadersComplete;
        s.on_body = &RequestParser::onBody;
        s.on_message_complete = &RequestParser::onMessageComplete;
        return s;
    }();
    return table;
}

RequestParser::RequestParser(const ParserLimits& limits) : limits_(limits) {
    llhttp_init(&parser_, HTTP_REQUEST, &settings());
    parser_.data = this;
}

RequestParser::Result RequestParser::feed(const char* data, size_t size, size_t& used) {
    used = size;
    if (refusal_.status != 0) return Result::Refused;
    llhttp_errno_t error = llhttp_execute(&parser_, data, size);
    if (error == HPE_OK) return Result::NeedMore;
    if (error == HPE_PAUSED || error == HPE_PAUSED_UPGRADE) {
        // Paused at the end of a request (onMessageComplete). An Upgrade or CONNECT pauses
        // once more after it: zaqard ignores Upgrade and refuses CONNECT.
        used = static_cast<size_t>(llhttp_get_error_pos(&parser_) - data);
        if (error == HPE_PAUSED)
            llhttp_resume(&parser_);
        else
            llhttp_resume_after_upgrade(&parser_);
        return phase_ == Phase::Idle ? Result::Request : Result::NeedMore;
    }
    refuseParse(error, data, size);
    return Result::Refused;
}

void RequestParser::refuseParse(llhttp_errno_t error, const char* data, size_t size) {
    if (refusal_.status != 0) return;  // a callback refused: its answer stands
    if (error == HPE_INVALID_VERSION) {
        fail(505, "HTTP Version Not Supported", "Only HTTP/1.0 and HTTP/1.1 are served.", nullptr);
        return;
    }
    if (error == HPE_INVALID_METHOD && phase_ != Phase::Body) {
        // A well-formed method zaqard does not know gets 405; bytes that are no method 400.
        size_t i = 0;
        while (i < size && (data[i] == '\r' || data[i] == '\n')) ++i;
        size_t start = i;
        while (i < size && isTokenChar(static_cast<unsigned char>(data[i]))) ++i;
        if (i > start && i < size && data[i] == ' ') {
            fail(405, "405 Method Not Allowed", "", nullptr);
            return;
        }
    }
    const char* reason = llhttp_get_error_reason(&parser_);
    fail(400, "Malformed request", reason && *reason ? reason : llhttp_errno_name(error), nullptr);
}

int RequestParser::fail(int status, const char* title, std::string description,
                        const char* reason) {
    refusal_.status = status;
    refusal_.title = title;
    refusal_.description = std::move(description);
    refusal_.reason = reason;
    return HPE_USER;
}

bool RequestParser::countHead(size_t bytes, bool inRequestLine) {
    headBytes_ += bytes;
    if (headBytes_ <= limits_.maxHeaderBytes) return true;
    std::string limit = std::to_string(limits_.maxHeaderBytes);
    if (inRequestLine)
        fail(414, "Request-URI Too Long", "The request line is longer than " + limit + " bytes.",
             "header_too_large");
    else
        fail(431, "Request Header Fields Too Large",
             "The request line and headers are longer than " + limit + " bytes.",
             "header_too_large");
    return false;
}

int RequestParser::onMessageBegin(llhttp_t* parser) {
    RequestParser& self = parserOf(parser);
    self.phase_ = Phase::Head;
    self.request_ = ParsedRequest{};
    self.field_.clear();
    self.value_.clear();
    self.headBytes_ = 0;
    self.expectContinue_ = false;
    self.continueWanted_ = false;
    return 0;
}

int RequestParser::onUrl(llhttp_t* parser, const char* at, size_t length) {
    RequestParser& self = parserOf(parser);
    self.request_.target.append(at, length);
    return self.countHead(length, true) ? 0 : HPE_USER;
}

int RequestParser::onMethod(llhttp_t* parser, const char*, size_t length) {
    return parserOf(parser).countHead(length, true) ? 0 : HPE_USER;
}

int RequestParser::onHeaderField(llhttp_t* parser, const char* at, size_t length) {
    RequestParser& self = parserOf(parser);
    self.field_.append(at, length);
    return self.countHead(length + 4, false) ? 0 : HPE_USER;  // ": " and CRLF
}

int RequestParser::onHeaderFieldComplete(llhttp_t* parser) {
    RequestParser& self = parserOf(parser);
    // llhttp 8 takes "Foo Bar", "" and "Content-Length " (space before the colon) as
    // names; a front proxy may read the last one as Content-Length. RFC 9112 §5.1: reject.
    bool valid = !self.field_.empty();
    for (unsigned char c : self.field_) valid = valid && isTokenChar(c);
    if (!valid)
        return self.fail(400, "Invalid header name",
                         "A header name must be a non-empty token, with no whitespace before "
                         "the colon.",
                         nullptr);
    return 0;
}

int RequestParser::onHeaderValue(llhttp_t* parser, const char* at, size_t length) {
    RequestParser& self = parserOf(parser);
    self.value_.append(at, length);
    return self.countHead(length, false) ? 0 : HPE_USER;
}

int RequestParser::onHeaderValueComplete(llhttp_t* parser) {
    RequestParser& self = parserOf(parser);
    std::string& value = self.value_;
    if (value.find_first_of("\r\n") != std::string::npos)  // obs-fold (RFC 9112 §5.2)
        return self.fail(400, "Invalid header value", "Folded header lines are not accepted.",
                         nullptr);
    size_t begin = value.find_first_not_of(" \t");
    size_t end = value.find_last_not_of(" \t");
    if (begin == std::string::npos)
        value.clear();
    else if (begin > 0 || end + 1 < value.size())
        value = value.substr(begin, end - begin + 1);
    const std::string& name = self.field_;
    if (equalsLower(name, "content-length")) {
        // llhttp checked it (digits only, one value); the body's real length is what counts.
        self.request_.hasContentLength = true;
    } else if (equalsLower(name, "transfer-encoding")) {
        if (!equalsLower(value, "chunked"))
            return self.fail(400, "Invalid Transfer-Encoding",
                             "Only \"Transfer-Encoding: chunked\" is accepted.", nullptr);
    } else if (equalsLower(name, "expect")) {
        if (!equalsLower(value, "100-continue"))
            return self.fail(417, "Expectation Failed",
                             "Only \"Expect: 100-continue\" is understood.", nullptr);
        self.expectContinue_ = true;
    } else {
        auto [slot, inserted] = self.request_.headers.emplace(std::move(self.field_), value);
        if (!inserted) slot->second.append(",").append(value);
    }
    self.field_.clear();
    self.value_.clear();
    return 0;
}

int RequestParser::onHeadersComplete(llhttp_t* parser) {
    RequestParser& self = parserOf(parser);
    if (parser->http_major != 1 || parser->http_minor > 1) {
        self.fail(505, "HTTP Version Not Supported", "Only HTTP/1.0 and HTTP/1.1 are served.",
                  nullptr);
        return -1;
    }
    if (!methodServed(parser->method)) {
        self.fail(405, "405 Method Not Allowed", "", nullptr);
        return -1;
    }
    const bool chunked = (parser->flags & F_CHUNKED) != 0;
    const bool sized = (parser->flags & F_CONTENT_LENGTH) != 0;
    const bool hasBody = chunked || (sized && parser->content_length > 0);
    if (hasBody && (parser->method == HTTP_HEAD || parser->method == HTTP_TRACE)) {
        self.fail(400, "Invalid request", "A HEAD or TRACE request has no body.", nullptr);
        return -1;
    }
    if (sized && parser->content_length > self.limits_.maxBodyBytes) {
        self.fail(413, "Request body too large",
                  "The request body is larger than " + std::to_string(self.limits_.maxBodyBytes) +
                      " bytes.",
                  "body_too_large");
        return -1;
    }
    ParsedRequest& request = self.request_;
    request.method = llhttp_method_name(static_cast<llhttp_method_t>(parser->method));
    request.isHead = parser->method == HTTP_HEAD;
    request.httpMinor = parser->http_minor;
    request.keepAlive = llhttp_should_keep_alive(parser) != 0;
    if (sized && parser->content_length > 0) request.body.reserve(parser->content_length);
    self.continueWanted_ = self.expectContinue_ && hasBody && parser->http_minor == 1;
    self.phase_ = Phase::Body;
    return 0;
}

int RequestParser::onBody(llhttp_t* parser, const char* at, size_t length) {
    RequestParser& self = parserOf(parser);
    if (self.request_.body.size() + length > self.limits_.maxBodyBytes)
        return self.fail(413, "Request body too large",
                         "The request body is larger than " +
                             std::to_string(self.limits_.maxBodyBytes) + " bytes.",
                         "body_too_large");
    self.request_.body.append(at, length);
    return 0;
}

int RequestParser::onMessageComplete(llhttp_t* parser) {
    RequestParser& self = parserOf(parser);
    // llhttp_should_keep_alive is only final here (it looks at the whole message).
    self.request_.keepAlive = llhttp_should_keep_alive(parser) != 0;
    self.phase_ = Phase::Idle;
    self.continueWanted_ = false;
    return HPE_PAUSED;  // stop here: one request at a time
}

}  // namespace zaqard::http
