// Header parsing works on the pulled-up header block in place; header names are matched
// case-insensitively because servers differ in capitalisation.
#include "loadgen/http_response_parser.h"

#include <strings.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace zqbench {
namespace {

constexpr size_t kMaxHead = 64 * 1024;

bool headerIs(std::string_view line, std::string_view name, std::string_view* value) {
    if (line.size() <= name.size() || line[name.size()] != ':') return false;
    if (strncasecmp(line.data(), name.data(), name.size()) != 0) return false;
    std::string_view v = line.substr(name.size() + 1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    *value = v;
    return true;
}

bool equalsNoCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string HttpResponseParser::takeBody() {
    std::string out;
    out.swap(body_);
    return out;
}

HttpResponseParser::Outcome HttpResponseParser::fail(std::string why) {
    error_ = std::move(why);
    return Outcome::Error;
}

HttpResponseParser::Outcome HttpResponseParser::parseHead(evbuffer* input, bool headRequest) {
    evbuffer_ptr end = evbuffer_search(input, "\r\n\r\n", 4, nullptr);
    if (end.pos < 0) {
        if (evbuffer_get_length(input) > kMaxHead) return fail("response head too large");
        return Outcome::NeedMore;
    }
    const size_t headLen = static_cast<size_t>(end.pos) + 4;
    const char* raw =
        reinterpret_cast<const char*>(evbuffer_pullup(input, static_cast<ev_ssize_t>(headLen)));
    std::string_view head(raw, headLen - 4);

    size_t eol = head.find("\r\n");
    std::string_view statusLine = head.substr(0, eol);
    if (statusLine.size() < 12 || statusLine.substr(0, 5) != "HTTP/")
        return fail("bad status line");
    int status = 0;
    auto [ptr, ec] = std::from_chars(statusLine.data() + 9, statusLine.data() + 12, status);
    if (ec != std::errc() || ptr != statusLine.data() + 12) return fail("bad status code");
    const bool http10 = statusLine.substr(0, 8) == "HTTP/1.0";

    bool chunked = false;
    bool haveLength = false;
    size_t length = 0;
    bool close = http10;
    while (eol != std::string_view::npos) {
        const size_t start = eol + 2;
        eol = head.find("\r\n", start);
        std::string_view line =
            head.substr(start, eol == std::string_view::npos ? head.npos : eol - start);
        std::string_view value;
        if (headerIs(line, "content-length", &value)) {
            auto [p, e] = std::from_chars(value.data(), value.data() + value.size(), length);
            if (e != std::errc() || p != value.data() + value.size())
                return fail("bad content-length");
            haveLength = true;
        } else if (headerIs(line, "transfer-encoding", &value)) {
            chunked = value.find("chunked") != std::string_view::npos;
        } else if (headerIs(line, "connection", &value)) {
            if (equalsNoCase(value, "close")) close = true;
            if (equalsNoCase(value, "keep-alive")) close = false;
        }
    }
    evbuffer_drain(input, headLen);

    status_ = status;
    closeAfter_ = close;
    body_.clear();
    const bool noBody = headRequest || status / 100 == 1 || status == 204 || status == 304;
    if (noBody) return Outcome::Complete;
    if (chunked) {
        state_ = State::ChunkSize;
    } else if (haveLength) {
        state_ = State::Fixed;
        remaining_ = length;
    } else {
        state_ = State::UntilClose;
        closeAfter_ = true;
    }
    return Outcome::NeedMore;
}

bool HttpResponseParser::takeBody(evbuffer* input) {
    const size_t have = evbuffer_get_length(input);
    const size_t take = have < remaining_ ? have : remaining_;
    if (take > 0) {
        const size_t old = body_.size();
        body_.resize(old + take);
        evbuffer_remove(input, body_.data() + old, take);
        remaining_ -= take;
    }
    return remaining_ == 0;
}

HttpResponseParser::Outcome HttpResponseParser::parse(evbuffer* input, bool headRequest) {
    for (;;) {
        switch (state_) {
            case State::Head: {
                Outcome o = parseHead(input, headRequest);
                if (o == Outcome::Complete) return o;
                if (o == Outcome::Error || state_ == State::Head) return o;
                break;
            }
            case State::Fixed: {
                if (!takeBody(input)) return Outcome::NeedMore;
                state_ = State::Head;
                return Outcome::Complete;
            }
            case State::ChunkSize:
            case State::ChunkCrlf:
            case State::Trailer: {
                size_t len = 0;
                char* line = evbuffer_readln(input, &len, EVBUFFER_EOL_CRLF);
                if (line == nullptr) return Outcome::NeedMore;
                std::string text(line, len);
                free(line);  // allocated by libevent with malloc
                if (state_ == State::ChunkCrlf) {
                    state_ = State::ChunkSize;
                    break;
                }
                if (state_ == State::Trailer) {
                    if (text.empty()) {
                        state_ = State::Head;
                        return Outcome::Complete;
                    }
                    break;
                }
                size_t size = 0;
                auto [p, e] = std::from_chars(text.data(), text.data() + text.size(), size, 16);
                if (e != std::errc() || p == text.data()) return fail("bad chunk size");
                if (size == 0) {
                    state_ = State::Trailer;
                } else {
                    state_ = State::ChunkData;
                    remaining_ = size;
                }
                break;
            }
            case State::ChunkData: {
                if (!takeBody(input)) return Outcome::NeedMore;
                state_ = State::ChunkCrlf;
                break;
            }
            case State::UntilClose: {
                const size_t have = evbuffer_get_length(input);
                if (have > 0) {
                    const size_t old = body_.size();
                    body_.resize(old + have);
                    evbuffer_remove(input, body_.data() + old, have);
                }
                return Outcome::NeedMore;
            }
        }
    }
}

bool HttpResponseParser::finishAtEof() {
    if (state_ != State::UntilClose) return false;
    state_ = State::Head;
    return true;
}

}  // namespace zqbench
