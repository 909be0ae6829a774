// Incremental HTTP/1.1 response parser over a libevent input buffer: status line,
// Content-Length / chunked / read-until-close bodies, and the no-body cases (HEAD, 1xx,
// 204, 304). One parser per connection; it never copies headers, only the body.
#pragma once

#include <event2/buffer.h>

#include <string>

namespace zqbench {

class HttpResponseParser {
  public:
    enum class Outcome { NeedMore, Complete, Error };

    // Parses at most one response. `headRequest` says the response answers a HEAD.
    Outcome parse(evbuffer* input, bool headRequest);
    // Called at EOF: a read-until-close body is complete then.
    bool finishAtEof();

    int status() const { return status_; }
    bool closeAfter() const { return closeAfter_; }
    std::string takeBody();
    const std::string& error() const { return error_; }

  private:
    enum class State { Head, Fixed, ChunkSize, ChunkData, ChunkCrlf, Trailer, UntilClose };
    Outcome fail(std::string why);
    Outcome parseHead(evbuffer* input, bool headRequest);
    // Moves up to remaining_ body bytes from `input`; true once the body part is complete.
    bool takeBody(evbuffer* input);

    State state_ = State::Head;
    int status_ = 0;
    bool closeAfter_ = false;
    size_t remaining_ = 0;
    std::string body_;
    std::string error_;
};

}  // namespace zqbench
