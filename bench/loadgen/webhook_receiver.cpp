// Counting window: a delivery is judged like a request whose intended time is the post's
// send time (the body's "ts", which the fan-out producer stamps with the post's intended
// time) and whose completion is the receipt: it counts when the post was meant to leave
// after the warm-up and the notification arrived before the end of the measurement. So
// notifications/s covers the same posts as posts/s; deliveries of warm-up posts, and of
// posts whose notification came after the end, are only in the totals (total(), byPath).
#include "loadgen/webhook_receiver.h"

#include <event2/buffer.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "loadgen/clock.h"
#include "loadgen/scenarios/zaqar_messages.h"

namespace zqbench {

WebhookReceiver::WebhookReceiver(Metrics& metrics, int counter, int histogram)
    : metrics_(metrics), counter_(counter), histogram_(histogram) {}

bool WebhookReceiver::start(event_base* base, std::string* error) {
    http_.reset(evhttp_new(base));
    if (!http_) {
        *error = "webhook receiver: evhttp_new failed";
        return false;
    }
    evhttp_set_allowed_methods(http_.get(), EVHTTP_REQ_POST);
    evhttp_set_gencb(http_.get(), &WebhookReceiver::onRequest, this);
    evhttp_bound_socket* socket = evhttp_bind_socket_with_handle(http_.get(), "127.0.0.1", 0);
    if (socket == nullptr) {
        http_.reset();
        *error = "webhook receiver: cannot bind 127.0.0.1";
        return false;
    }
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    const evutil_socket_t fd = evhttp_bound_socket_get_fd(socket);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
        address.ss_family != AF_INET) {
        http_.reset();
        *error = "webhook receiver: cannot read the bound port";
        return false;
    }
    port_ = ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
    return true;
}

void WebhookReceiver::stop() {
    http_.reset();
}

void WebhookReceiver::onDelivery(std::string_view path, std::string_view body,
                                 uint64_t receivedNs) {
    ++total_;
    auto it = byPath_.find(std::string(path));
    if (it == byPath_.end()) it = byPath_.emplace(std::string(path), 0).first;
    ++it->second;
    const int64_t sent = intField(body, "ts");
    if (sent <= 0 || static_cast<uint64_t>(sent) > receivedNs) {
        ++unstamped_;
        return;
    }
    // The window rule lives in Metrics and is stated on a request and its response.
    Request post;
    post.intendedNs = static_cast<uint64_t>(sent);
    Response receipt;
    receipt.completedNs = receivedNs;
    metrics_.count(counter_, 1, post, receipt);
    metrics_.sample(histogram_, receivedNs - post.intendedNs, post, receipt);
}

uint64_t WebhookReceiver::deliveredTo(const std::string& path) const {
    const auto it = byPath_.find(path);
    return it == byPath_.end() ? 0 : it->second;
}

void WebhookReceiver::onRequest(evhttp_request* request, void* self) {
    const uint64_t now = nowNs();
    auto* receiver = static_cast<WebhookReceiver*>(self);
    const evhttp_uri* uri = evhttp_request_get_evhttp_uri(request);
    const char* path = uri ? evhttp_uri_get_path(uri) : nullptr;
    evbuffer* input = evhttp_request_get_input_buffer(request);
    const size_t size = evbuffer_get_length(input);
    const char* body = size ? reinterpret_cast<const char*>(evbuffer_pullup(input, -1)) : "";
    receiver->onDelivery(path ? path : "", std::string_view(body, size), now);
    evhttp_send_reply(request, 204, "No Content", nullptr);
}

}  // namespace zqbench
