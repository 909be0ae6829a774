// The REST transport's wire pieces without sockets: the parser glue (request_parser.h) and
// the response serializer (response_serializer.h). The integration tests (test_http_strict.py,
// test_limits.py) cover the same rules over real connections.
#include <event2/buffer.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "transports/http/request_parser.h"
#include "transports/http/response_serializer.h"

using namespace zaqard;
using http::RequestParser;

namespace {

struct Fed {
    std::vector<http::ParsedRequest> requests;
    int refused = 0;  // the refusal's status, 0 if none
};

// Feeds `wire` in pieces of `step` bytes (0: all at once), as reads would deliver it.
Fed feed(const std::string& wire, size_t step = 0, http::ParserLimits limits = {}) {
    RequestParser parser(limits);
    Fed out;
    size_t at = 0;
    while (at < wire.size() && !out.refused) {
        size_t n = step ? std::min(step, wire.size() - at) : wire.size() - at;
        const char* piece = wire.data() + at;
        size_t left = n;
        for (int guard = 0; guard < 1000 && left > 0; ++guard) {
            size_t used = 0;
            auto result = parser.feed(piece, left, used);
            piece += used;
            left -= used;
            if (result == RequestParser::Result::Refused) {
                out.refused = parser.refusal().status;
                break;
            }
            if (result == RequestParser::Result::Request) out.requests.push_back(parser.take());
            if (result == RequestParser::Result::NeedMore) break;
        }
        at += n;
    }
    return out;
}

std::string serialized(const api::Response& response, const http::ReplyFraming& framing) {
    evbuffer* out = evbuffer_new();
    http::serializeResponse(out, response, framing);
    std::string text(evbuffer_get_length(out), '\0');
    evbuffer_remove(out, text.data(), text.size());
    evbuffer_free(out);
    return text;
}

}  // namespace

TEST(RequestParser, PipelinedRequestsComeOutOneByOneWhateverTheReads) {
    std::string wire =
        "POST /v2/queues/q/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        "X-A: 1\r\nx-a: 2\r\n\r\nhello"
        "GET /v2/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    for (size_t step : {0, 1, 7}) {
        Fed fed = feed(wire, step);
        ASSERT_EQ(fed.refused, 0) << step;
        ASSERT_EQ(fed.requests.size(), 2u) << step;
        EXPECT_EQ(fed.requests[0].method, "POST");
        EXPECT_EQ(fed.requests[0].target, "/v2/queues/q/messages");
        EXPECT_EQ(fed.requests[0].body, "hello");
        EXPECT_TRUE(fed.requests[0].hasContentLength);
        EXPECT_TRUE(fed.requests[0].keepAlive);
        EXPECT_EQ(fed.requests[0].headers.at("X-A"), "1,2");  // repeats joined
        EXPECT_EQ(fed.requests[0].headers.count("Content-Length"), 0u);
        EXPECT_EQ(fed.requests[1].method, "GET");
        EXPECT_FALSE(fed.requests[1].keepAlive);
    }
}

TEST(RequestParser, ChunkedBodyIsDechunked) {
    Fed fed = feed(
        "PUT /v2/queues/q HTTP/1.1\r\nTransfer-Encoding: "
        "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        3);
    ASSERT_EQ(fed.requests.size(), 1u);
    EXPECT_EQ(fed.requests[0].body, "abcde");
    EXPECT_FALSE(fed.requests[0].hasContentLength);
    EXPECT_EQ(fed.requests[0].headers.count("Transfer-Encoding"), 0u);
}

TEST(RequestParser, StrictFramingAndLimits) {
    http::ParserLimits small;
    small.maxHeaderBytes = 256;
    small.maxBodyBytes = 10;
    EXPECT_EQ(feed("GET / HTTP/1.1\r\nContent-Length : 3\r\n\r\nabc").refused, 400);
    EXPECT_EQ(feed("GET / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc").refused,
              400);
    EXPECT_EQ(feed("GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n").refused, 400);
    EXPECT_EQ(feed("GET / HTTP/1.2\r\n\r\n").refused, 505);
    EXPECT_EQ(feed("PROPFIND / HTTP/1.1\r\n\r\n").refused, 405);
    EXPECT_EQ(feed("HEAD / HTTP/1.1\r\nContent-Length: 1\r\n\r\nx").refused, 400);
    EXPECT_EQ(feed("GET / HTTP/1.1\r\nExpect: magic\r\n\r\n").refused, 417);
    EXPECT_EQ(feed("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", 0, small).refused, 413);
    EXPECT_EQ(feed("GET /" + std::string(300, 'a') + " HTTP/1.1\r\n\r\n", 0, small).refused, 414);
    EXPECT_EQ(feed("GET / HTTP/1.1\r\nX: " + std::string(300, 'a') + "\r\n\r\n", 0, small).refused,
              431);
}

TEST(ResponseSerializer, FramingFollowsTheStatusAndTheMethod) {
    api::Response created;
    created.status = 201;
    created.rawBody = "{\"a\":1}";
    created.addHeader("Location", "/v2/queues/q");
    std::string requestId = "req-1";
    http::ReplyFraming framing;
    framing.requestId = &requestId;
    std::string text = serialized(created, framing);
    EXPECT_EQ(text.rfind("HTTP/1.1 201 Created\r\n", 0), 0u) << text;
    EXPECT_NE(text.find("\r\nDate: "), std::string::npos);
    EXPECT_NE(text.find("\r\nContent-Type: application/json\r\n"), std::string::npos);
    EXPECT_NE(text.find("\r\nContent-Length: 7\r\n"), std::string::npos);
    EXPECT_NE(text.find("\r\nLocation: /v2/queues/q\r\n"), std::string::npos);
    EXPECT_NE(text.find("\r\nX-Request-ID: req-1\r\n"), std::string::npos);
    EXPECT_EQ(text.find("Connection"), std::string::npos);
    EXPECT_EQ(text.substr(text.size() - 11), "\r\n\r\n{\"a\":1}");

    framing.head = true;
    framing.close = true;
    text = serialized(created, framing);
    EXPECT_EQ(text.find("Content-Length"), std::string::npos);
    EXPECT_NE(text.find("\r\nConnection: close\r\n"), std::string::npos);
    EXPECT_EQ(text.substr(text.size() - 4), "\r\n\r\n");  // no body

    api::Response empty;
    empty.status = 204;
    text = serialized(empty, http::ReplyFraming{});
    EXPECT_EQ(text.find("Content-Length"), std::string::npos);
    EXPECT_EQ(text.find("Content-Type"), std::string::npos);
}
