// The busiest queues' gauges (queue_activity.h picks the queues; the api reads their
// stats from storage): a separate part of the exposition because it is the one part
// that needs storage, so the api renders it after its reads come back.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "src/metrics/queue_activity.h"

namespace zaqard::metrics {

struct QueueGauges {
    QueueName name;
    int64_t free = 0;
    int64_t claimed = 0;
    std::optional<int64_t> oldestAgeSeconds;  // absent: the queue holds no message
};

// Families zaqard_queue_messages{project,queue,state} and
// zaqard_queue_oldest_message_age_seconds{project,queue}; always both headers, so a
// scrape with no busy queue still describes them.
std::string queueGaugeFamilies(std::span<const QueueGauges> queues);

}  // namespace zaqard::metrics
