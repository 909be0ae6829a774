// Responses arrive split anywhere and several at a time (pipelining); the parser must
// handle both, and the no-body cases.
#include "loadgen/http_response_parser.h"

#include <event2/buffer.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace zqbench {
namespace {

struct BufferDeleter {
    void operator()(evbuffer* b) const { evbuffer_free(b); }
};

class Parser : public ::testing::Test {
  protected:
    void feed(const std::string& text) { evbuffer_add(buffer.get(), text.data(), text.size()); }
    std::unique_ptr<evbuffer, BufferDeleter> buffer{evbuffer_new()};
    HttpResponseParser parser;
};

TEST_F(Parser, PipelinedResponses) {
    feed(
        "HTTP/1.1 201 Created\r\nContent-Length: 5\r\ncontent-type: application/json\r\n\r\nhello"
        "HTTP/1.1 204 No Content\r\n\r\n"
        "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
    ASSERT_EQ(parser.parse(buffer.get(), false), HttpResponseParser::Outcome::Complete);
    EXPECT_EQ(parser.status(), 201);
    EXPECT_EQ(parser.takeBody(), "hello");
    ASSERT_EQ(parser.parse(buffer.get(), false), HttpResponseParser::Outcome::Complete);
    EXPECT_EQ(parser.status(), 204);
    EXPECT_EQ(parser.takeBody(), "");
    ASSERT_EQ(parser.parse(buffer.get(), false), HttpResponseParser::Outcome::Complete);
    EXPECT_EQ(parser.status(), 200);
    EXPECT_EQ(parser.takeBody(), "{}");
    EXPECT_EQ(evbuffer_get_length(buffer.get()), 0u);
}

TEST_F(Parser, SplitAnywhere) {
    const std::string text = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789";
    for (size_t cut = 1; cut < text.size(); ++cut) {
        HttpResponseParser p;
        feed(text.substr(0, cut));
        ASSERT_EQ(p.parse(buffer.get(), false), HttpResponseParser::Outcome::NeedMore) << cut;
        feed(text.substr(cut));
        ASSERT_EQ(p.parse(buffer.get(), false), HttpResponseParser::Outcome::Complete) << cut;
        EXPECT_EQ(p.takeBody(), "0123456789");
    }
}

TEST_F(Parser, HeadHasNoBody) {
    feed(
        "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: "
        "7\r\n\r\n");
    ASSERT_EQ(parser.parse(buffer.get(), true), HttpResponseParser::Outcome::Complete);
    ASSERT_EQ(parser.parse(buffer.get(), true), HttpResponseParser::Outcome::Complete);
    EXPECT_EQ(parser.status(), 200);
    EXPECT_EQ(evbuffer_get_length(buffer.get()), 0u);
}

TEST_F(Parser, Chunked) {
    feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n");
    ASSERT_EQ(parser.parse(buffer.get(), false), HttpResponseParser::Outcome::Complete);
    EXPECT_EQ(parser.takeBody(), "abcdefg");
}

TEST_F(Parser, CloseDelimited) {
    feed("HTTP/1.0 200 OK\r\n\r\npartial");
    ASSERT_EQ(parser.parse(buffer.get(), false), HttpResponseParser::Outcome::NeedMore);
    EXPECT_TRUE(parser.finishAtEof());
    EXPECT_TRUE(parser.closeAfter());
    EXPECT_EQ(parser.takeBody(), "partial");
}

TEST_F(Parser, Garbage) {
    feed("SSH-2.0-OpenSSH\r\n\r\n");
    EXPECT_EQ(parser.parse(buffer.get(), false), HttpResponseParser::Outcome::Error);
}

}  // namespace
}  // namespace zqbench
