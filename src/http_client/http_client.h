// Asynchronous HTTP requests with their response (status, headers, body) on a shard's
// Dispatcher, over CurlMulti. For calls to other services (Keystone); every request has
// a connect and a total timeout, never follows redirects and verifies TLS unless told not.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "src/http_client/curl_multi.h"

namespace zaqard::http_client {

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    // Sent in order; a pair that could split the header block (CR, LF, NUL, or ':' in
    // the name) is dropped.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;  // sent when non-empty or method is POST/PUT/PATCH
    std::chrono::milliseconds connectTimeout{5000};
    std::chrono::milliseconds totalTimeout{10000};
    std::string caFile;                 // extra CA bundle; empty: the system's CAs
    bool insecure = false;              // skip TLS verification (keystonemiddleware's `insecure`)
    size_t maxResponseBytes = 4 << 20;  // larger bodies fail the request
};

struct HttpResponse {
    CURLcode curlCode = CURLE_OK;  // transport outcome
    long status = 0;               // 0 when no response arrived
    std::string error;             // curl's message when curlCode != CURLE_OK
    std::vector<std::pair<std::string, std::string>> headers;  // as received
    std::string body;

    bool ok() const { return curlCode == CURLE_OK && status != 0; }
    // First header of that name (case-insensitive); empty when absent.
    std::string header(const std::string& name) const;
};

class HttpClient {
  public:
    using Callback = std::function<void(HttpResponse)>;

    explicit HttpClient(event::Dispatcher& dispatcher) : multi_(dispatcher) {}

    // Answers through `callback` exactly once, from a deferred call (never inside send),
    // unless the client is destroyed first.
    void send(HttpRequest request, Callback callback);
    size_t pending() const { return multi_.pending(); }
    event::Dispatcher& dispatcher() { return multi_.dispatcher(); }

  private:
    CurlMulti multi_;
};

}  // namespace zaqard::http_client
