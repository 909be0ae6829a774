#include "src/metrics/queue_gauges.h"

#include "src/metrics/exposition.h"

namespace zaqard::metrics {

std::string queueGaugeFamilies(std::span<const QueueGauges> queues) {
    Exposition out;
    out.family("zaqard_queue_messages",
               "Messages in the busiest queues ([zaqard] metrics_top_queues), by state (free or "
               "claimed).",
               Type::Gauge);
    for (const QueueGauges& q : queues) {
        out.sample({{"project", q.name.project}, {"queue", q.name.queue}, {"state", "free"}},
                   q.free);
        out.sample({{"project", q.name.project}, {"queue", q.name.queue}, {"state", "claimed"}},
                   q.claimed);
    }
    out.family("zaqard_queue_oldest_message_age_seconds",
               "Age of the oldest message in the busiest queues (none when empty).", Type::Gauge);
    for (const QueueGauges& q : queues)
        if (q.oldestAgeSeconds)
            out.sample({{"project", q.name.project}, {"queue", q.name.queue}}, *q.oldestAgeSeconds);
    return out.take();
}

}  // namespace zaqard::metrics
