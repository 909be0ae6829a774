// The webhook end of the fan-out scenario: an HTTP/1.1 server (evhttp, keep-alive) on
// 127.0.0.1 with a port chosen by the OS, living on the runner's event loop. zaqard's
// notifier POSTs one notification per message per subscriber to it; every POST is answered
// 204 and tallied: deliveries per subscriber path, and post-to-delivery latency from the
// send time the producer put into the message body ("ts", see zaqar_messages.h) to the
// moment the whole POST was read. Both ends use the same monotonic clock in this process.
#pragma once

#include <event2/http.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "loadgen/metrics.h"

namespace zqbench {

class WebhookReceiver {
  public:
    // `counter` and `histogram` are Metrics slots: deliveries counted and their latency
    // sampled under the runner's counting-window rule (see onDelivery).
    WebhookReceiver(Metrics& metrics, int counter, int histogram);
    WebhookReceiver(const WebhookReceiver&) = delete;
    WebhookReceiver& operator=(const WebhookReceiver&) = delete;

    // Binds 127.0.0.1:0 on `base`; false with a reason when it cannot.
    bool start(event_base* base, std::string* error);
    // Frees the server and its connections; must run before `base` is freed.
    void stop();
    int port() const { return port_; }

    // One delivery to `path` with this POST body, read completely at `receivedNs`.
    // Public so the tally can be tested without a socket.
    void onDelivery(std::string_view path, std::string_view body, uint64_t receivedNs);

    uint64_t total() const { return total_; }          // every delivery, whole run
    uint64_t unstamped() const { return unstamped_; }  // bodies without a usable "ts"
    uint64_t deliveredTo(const std::string& path) const;

  private:
    struct HttpDeleter {
        void operator()(evhttp* h) const { evhttp_free(h); }
    };
    static void onRequest(evhttp_request* request, void* self);

    Metrics& metrics_;
    int counter_;
    int histogram_;
    std::unique_ptr<evhttp, HttpDeleter> http_;
    int port_ = 0;
    uint64_t total_ = 0;
    uint64_t unstamped_ = 0;
    std::unordered_map<std::string, uint64_t> byPath_;
};

}  // namespace zqbench
