// The busiest queues, for the queue-level gauges of /metrics (docs/metrics.md).
//
// Each thread keeps a space-saving sketch (Metwally, Agrawal, El Abbadi 2005) of messages
// posted per queue: at most `capacity` counters; a queue not yet tracked takes over the
// smallest counter and inherits its count, so a queue with more than 1/capacity of the
// posts is never missed, whatever the number of queues. Unlike the fixed cells of
// thread_metrics.h this is a map, so each sketch has its own mutex, taken by its owner on
// a post and by the scrape: memcached's thread-local stats lock, uncontended except for the
// moment a scrape reads it.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace zaqard::metrics {

struct QueueName {
    std::string project;
    std::string queue;
};

struct QueueCount {
    QueueName name;
    uint64_t count = 0;
};

class QueueActivity {
  public:
    void record(std::string_view project, std::string_view queue, uint64_t messages,
                size_t capacity);
    // The counts now, halved as they are read: "busiest" means busy lately, and a queue
    // that stopped posting leaves the top within a few scrapes.
    std::vector<QueueCount> takeDecayed();

  private:
    std::mutex lock_;
    // Key: project '\n' queue ('\n' cannot appear in either: names are validated).
    std::unordered_map<std::string, uint64_t> counts_;
};

// How many queues get gauges ([zaqard] metrics_top_queues; 0: none). Set at start-up.
void setTopQueues(int count);
int topQueues();
// The sketch size per thread for that many gauges.
size_t queueSketchCapacity();

// Merges every thread's sketch: the `topQueues()` queues with the most posts lately,
// busiest first. Only the scrape calls it.
std::vector<QueueName> busiestQueues();

}  // namespace zaqard::metrics
