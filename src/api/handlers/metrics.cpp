// GET /metrics: the exposition of every thread's counters (src/metrics/scrape.h), then
// the gauges of the busiest queues, whose stats are read from storage concurrently.
#include <array>
#include <memory>
#include <vector>

#include "src/api/action_table.h"
#include "src/api/handlers/handlers.h"
#include "src/metrics/exposition.h"
#include "src/metrics/queue_gauges.h"
#include "src/metrics/scrape.h"

namespace zaqard::api::handlers {

namespace {

const std::array<const char*, kActionCount>& actionNames() {
    static const std::array<const char*, kActionCount> names = [] {
        std::array<const char*, kActionCount> all{};
        for (const ActionSpec& row : actionTable()) all[static_cast<size_t>(row.action)] = row.name;
        return all;
    }();
    return names;
}

struct Gathering {
    CallPtr call;
    std::string counters;  // rendered before the reads, so they are of one moment
    std::vector<metrics::QueueGauges> queues;
    std::vector<bool> read;  // queues[i] answered (a failed or vanished queue is left out)
    size_t pending = 0;

    void finish() {
        std::vector<metrics::QueueGauges> answered;
        for (size_t i = 0; i < queues.size(); ++i)
            if (read[i]) answered.push_back(std::move(queues[i]));
        Response response;
        response.status = 200;
        response.contentType = metrics::kExpositionContentType;
        response.rawBody = std::move(counters) + metrics::queueGaugeFamilies(answered);
        call->reply(std::move(response));
    }
};

}  // namespace

void metrics(const CallPtr& call) {
    auto gathering = std::make_shared<Gathering>();
    gathering->call = call;
    gathering->counters = metrics::scrape(actionNames());
    for (metrics::QueueName& name : metrics::busiestQueues()) {
        metrics::QueueGauges gauges;
        gauges.name = std::move(name);
        gathering->queues.push_back(std::move(gauges));
    }
    gathering->read.assign(gathering->queues.size(), false);
    gathering->pending = gathering->queues.size();
    if (gathering->pending == 0) return gathering->finish();
    for (size_t i = 0; i < gathering->queues.size(); ++i) {
        storage::QueueRef queue{gathering->queues[i].name.project, gathering->queues[i].name.queue};
        call->storage.queues.stats(queue, [gathering, i](Result<storage::QueueStats> stats) {
            if (stats) {
                metrics::QueueGauges& gauges = gathering->queues[i];
                gauges.free = stats->free;
                gauges.claimed = stats->claimed;
                if (stats->oldest) gauges.oldestAgeSeconds = stats->oldest->age;
                gathering->read[i] = true;
            }
            if (--gathering->pending == 0) gathering->finish();
        });
    }
}

}  // namespace zaqard::api::handlers
