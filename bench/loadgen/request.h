// What a scenario asks a connection to send and what comes back. Transport-neutral on
// purpose: the HTTP connection renders it as HTTP/1.1, and the websocket connection that
// comes with the websocket transport will render the same kinds as Zaqar websocket
// actions, so scenarios and statistics stay unchanged.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace zqbench {

struct Request {
    std::string_view method;  // static literals only ("GET", "POST", ...)
    std::string path;         // absolute path with query, e.g. /v2/queues/q/messages
    std::string_view contentType;
    std::string body;
    std::string headerLines;  // extra "Name: value\r\n" lines (HTTP only)
    int kind = 0;  // index of the request kind in Metrics (latency and statuses per kind)
    // A follow-up that only became possible when an earlier response arrived (the delete
    // after a claim): its intended time cannot be earlier than that moment.
    bool dependent = false;
    uint64_t readyNs = 0;     // when the flow produced it
    uint64_t intendedNs = 0;  // slot on the constant-rate grid, or the send time
    uint64_t sentNs = 0;
    uint64_t tag = 0;  // scenario-private (e.g. number of messages the request carries)
};

struct Response {
    int status = 0;  // 0 = no response (connection failed or closed)
    std::string body;
    uint64_t completedNs = 0;
};

}  // namespace zqbench
