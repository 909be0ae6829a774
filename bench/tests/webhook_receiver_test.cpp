// The fan-out scenario's webhook receiver: the send time read from a notification body,
// the counting-window rule, per-path counts, and real POSTs over loopback (keep-alive).
#include "loadgen/webhook_receiver.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "loadgen/libevent_handles.h"
#include "loadgen/metrics.h"

namespace zqbench {
namespace {

// A notification as zaqard sends it for a message posted with postBody().
std::string notification(uint64_t sentNs) {
    return R"({"ttl": 300, "body": {"ts": )" + std::to_string(sentNs) +
           R"(, "pad": "xxxx"}, "Message_Type": "Notification", "queue_name": "bench-q0"})";
}

struct Fixture {
    Metrics metrics;
    int counter = metrics.addCounter("notifications");
    int histogram = metrics.addHistogram("post_to_delivery");
    WebhookReceiver receiver{metrics, counter, histogram};
};

TEST(WebhookReceiver, TalliesByPathAndWindow) {
    Fixture f;
    f.metrics.setWindow(1000, 5000);
    f.receiver.onDelivery("/s/0", notification(2000), 2500);           // inside: counted, 500 ns
    f.receiver.onDelivery("/s/1", notification(2000), 2700);           // inside: counted, 700 ns
    f.receiver.onDelivery("/s/0", notification(500), 1500);            // warm-up post: total only
    f.receiver.onDelivery("/s/1", notification(4000), 6000);           // arrived after the end
    f.receiver.onDelivery("/s/1", R"({"body": {"event": 1}})", 3000);  // no send time
    f.receiver.onDelivery("/s/1", notification(9000), 3000);           // from the future

    EXPECT_EQ(f.receiver.total(), 6u);
    EXPECT_EQ(f.receiver.unstamped(), 2u);
    EXPECT_EQ(f.receiver.deliveredTo("/s/0"), 2u);
    EXPECT_EQ(f.receiver.deliveredTo("/s/1"), 4u);
    EXPECT_EQ(f.receiver.deliveredTo("/s/2"), 0u);
    EXPECT_EQ(f.metrics.counters()[static_cast<size_t>(f.counter)].value, 2u);
    const Histogram& h = f.metrics.histograms()[static_cast<size_t>(f.histogram)].values;
    EXPECT_EQ(h.count(), 2u);
    EXPECT_EQ(h.min(), 500u);
    EXPECT_EQ(h.max(), 700u);
}

// An evhttp client on the same loop posts `bodies` in turn on one connection.
struct Client {
    event_base* base;
    evhttp_connection* connection;
    std::vector<std::string> bodies;
    std::vector<int> statuses;
    size_t next = 0;

    static void onDone(evhttp_request* request, void* self) {
        auto* c = static_cast<Client*>(self);
        c->statuses.push_back(request ? evhttp_request_get_response_code(request) : 0);
        if (c->next < c->bodies.size()) {
            c->send();
        } else {
            event_base_loopbreak(c->base);
        }
    }
    void send() {
        evhttp_request* request = evhttp_request_new(&Client::onDone, this);
        evhttp_add_header(evhttp_request_get_output_headers(request), "Host", "127.0.0.1");
        evhttp_add_header(evhttp_request_get_output_headers(request), "Content-Type",
                          "application/json");
        const std::string& body = bodies[next];
        evbuffer_add(evhttp_request_get_output_buffer(request), body.data(), body.size());
        const std::string path = "/s/" + std::to_string(next % 2);
        ++next;
        evhttp_make_request(connection, request, EVHTTP_REQ_POST, path.c_str());
    }
};

TEST(WebhookReceiver, AnswersLoopbackPosts) {
    EventBasePtr base(event_base_new());
    Fixture f;
    std::string error;
    ASSERT_TRUE(f.receiver.start(base.get(), &error)) << error;
    ASSERT_GT(f.receiver.port(), 0);

    struct ConnectionDeleter {
        void operator()(evhttp_connection* c) const { evhttp_connection_free(c); }
    };
    std::unique_ptr<evhttp_connection, ConnectionDeleter> connection(evhttp_connection_base_new(
        base.get(), nullptr, "127.0.0.1", static_cast<uint16_t>(f.receiver.port())));
    Client client{base.get(), connection.get(), {}, {}, 0};
    // The window is open: every stamped delivery counts.
    const uint64_t sent = 1;
    client.bodies = {notification(sent), notification(sent), notification(sent)};
    client.send();
    EventPtr timeout(evtimer_new(
        base.get(),
        [](evutil_socket_t, short, void* b) { event_base_loopbreak(static_cast<event_base*>(b)); },
        base.get()));
    const timeval fiveSeconds{5, 0};
    evtimer_add(timeout.get(), &fiveSeconds);
    event_base_dispatch(base.get());

    EXPECT_EQ(client.statuses, (std::vector<int>{204, 204, 204}));
    EXPECT_EQ(f.receiver.total(), 3u);
    EXPECT_EQ(f.receiver.deliveredTo("/s/0"), 2u);
    EXPECT_EQ(f.receiver.deliveredTo("/s/1"), 1u);
    EXPECT_EQ(f.metrics.counters()[static_cast<size_t>(f.counter)].value, 3u);
    EXPECT_EQ(f.receiver.unstamped(), 0u);

    // Everything on the loop goes before the loop.
    timeout.reset();
    connection.reset();
    f.receiver.stop();
}

}  // namespace
}  // namespace zqbench
