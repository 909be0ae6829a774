// The worker loops of natsgen: each runs on its own thread with its own NATS connection
// (one thread + one connection = one of the load generator's keep-alive connections), so
// nats.c's blocking calls (js_Publish, natsSubscription_Fetch) need no event loop.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "loadgen/histogram.h"

namespace zqnats {

// What one worker measured while the run was in its measured phase.
struct WorkerStats {
    zqbench::Histogram publish;  // js_Publish, or PublishAsync x batch + PublishAsyncComplete
    zqbench::Histogram fetch;    // natsSubscription_Fetch that returned messages
    uint64_t publishes = 0;      // publish requests (a batch is one request)
    uint64_t published = 0;      // messages acknowledged by the stream
    uint64_t fetches = 0;
    uint64_t emptyFetches = 0;  // fetch timed out with no message
    uint64_t delivered = 0;     // messages fetched and acked
    uint64_t errors = 0;
    std::string firstError;
};

// 0 warm-up (nothing recorded), 1 measured, 2 stop.
enum Phase : int { kWarmup = 0, kMeasure = 1, kStop = 2 };

struct WorkerConfig {
    std::string url;
    std::string subject;
    std::string stream;
    std::string durable;
    int size = 100;
    int batch = 1;
    int fetchBatch = 10;
    const std::atomic<int>* phase = nullptr;
};

void runProducer(const WorkerConfig& config, WorkerStats& stats);
void runConsumer(const WorkerConfig& config, WorkerStats& stats);

}  // namespace zqnats
