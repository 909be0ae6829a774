// Command-line options of the load generator (see usage() in options.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zqbench {

struct Options {
    std::string url = "http://127.0.0.1:8888";
    std::string scenario = "producer";
    double duration = 10;  // seconds measured
    double warmup = 2;     // seconds run but not measured
    int connections = 64;
    int consumers = -1;  // connections that claim/list (consumer, observer); -1 = half
    double rate = 0;     // total requests/s over all connections; 0 = as fast as possible
    int size = 100;      // bytes of each message body
    int batch = 1;       // messages per post
    int pipeline = 1;    // requests in flight per connection
    int queues = 1;      // queues the connections spread over
    int claimLimit = 10;
    int listLimit = 10;
    int prefill = -1;          // messages posted per queue before the run; -1 = scenario default
    uint64_t stopAfter = 0;    // producer: stop once this many messages were posted (0 = never)
    double idleBackoffMs = 1;  // consumer: pause after an empty claim (204)
    std::string deleteMode = "ids";  // consumer: "ids" (one bulk DELETE) or "each"
    int subscribers = 1;             // fanout: webhook subscriptions per queue
    std::string project;             // default: a fresh one per run
    std::string jsonFile;
    bool quiet = false;
    int progressFd = -1;  // -1: stderr when it is a terminal
    // producer (http): every post carries a fresh Idempotency-Key header.
    bool idempotencyKeys = false;
    std::string transport = "http";  // load connections: "http" or "websocket"
    // The websocket listener: its own port ([drivers:transport:websocket] port).
    std::string wsUrl = "ws://127.0.0.1:9000";
    // Extra request headers ("Name: value"), e.g. X-Auth-Token for a Keystone zaqard.
    std::vector<std::string> headers;
};

// Parses argv; on error or --help prints usage and returns false (exitCode says which).
bool parseOptions(int argc, char** argv, Options* out, int* exitCode);

}  // namespace zqbench
