// Asynchronous HTTP POSTs for webhook deliveries, on the shard's Dispatcher through
// src/http_client/curl_multi.h (libcurl's multi-socket API; nothing polls). Beyond Zaqar, which
// sets no timeout and follows redirects: every request has a connect and a total timeout, redirects
// are never followed, TLS is verified, connections per host are bounded and reused.
//
// Ordering rules:
//  * Everything runs on the dispatcher's thread; post() must be called there too.
//  * Completion callbacks run from Dispatcher::defer, never from inside libcurl or a
//    FileEvent callback, so a callback may destroy the client.
//  * Destroying the client aborts pending transfers; no callback runs afterwards.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "notifiers/curl_handles.h"
#include "notifiers/delivery_outcome.h"
#include "src/event/dispatcher.h"
#include "src/http_client/curl_multi.h"

namespace zaqard::notifiers {

struct WebhookOptions {
    std::chrono::milliseconds connectTimeout{5000};
    std::chrono::milliseconds totalTimeout{30000};
    std::string caFile;              // extra CA bundle; empty: the system's CAs
    long maxConnectionsPerHost = 8;  // further requests to that host wait in curl's queue
    long maxTotalConnections = 0;    // 0: unbounded
    long maxCachedConnections = 64;  // idle connections kept for reuse
    std::string proxy;               // empty: direct (environment proxies are ignored)
    std::string userAgent = "zaqard";
};

struct WebhookRequest {
    std::string url;
    // Sent in order; a pair whose name or value could split the header block (CR, LF,
    // NUL, or ':' in the name) is dropped.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

struct WebhookResult {
    CURLcode curlCode = CURLE_OK;  // transport outcome
    long httpStatus = 0;           // 0 when no response arrived
    std::string error;             // curl's message when curlCode != CURLE_OK
};

// zaqard's rule (notifications.md §4, Recommend): 2xx succeed; connection errors,
// timeouts, 5xx and 429 retry; other responses (3xx not followed, 4xx) give up, as do
// requests that can never work (malformed URL, unsupported scheme).
DeliveryOutcome classifyWebhookResult(const WebhookResult& result);

class WebhookClient {
  public:
    using Callback = std::function<void(const WebhookResult&)>;

    WebhookClient(event::Dispatcher& dispatcher, WebhookOptions options);
    ~WebhookClient();
    WebhookClient(const WebhookClient&) = delete;
    WebhookClient& operator=(const WebhookClient&) = delete;

    void post(WebhookRequest request, Callback callback);
    size_t pending() const { return multi_.pending(); }

  private:
    void complete(Callback callback, WebhookResult result);

    event::Dispatcher& dispatcher_;
    WebhookOptions options_;
    std::shared_ptr<bool> alive_;
    http_client::CurlMulti multi_;  // last: destroyed first, so no transfer outlives us
};

}  // namespace zaqard::notifiers
