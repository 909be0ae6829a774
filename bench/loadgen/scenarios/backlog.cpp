// Stats are summed over queues; a failed stats call leaves the gauges unset rather than
// reporting a wrong zero.
#include "loadgen/scenarios/backlog.h"

#include "loadgen/scenarios/zaqar_messages.h"

namespace zqbench {

Backlog::Backlog(Metrics& metrics, int queues)
    : metrics_(metrics), queues_(queues), kind_(metrics.addKind("stats", {200})) {}

std::vector<Request> Backlog::requests() const {
    std::vector<Request> out;
    for (int q = 0; q < queues_; ++q) {
        Request r;
        r.method = "GET";
        r.path = queuePath(q) + "/stats";
        r.kind = kind_;
        out.push_back(std::move(r));
    }
    return out;
}

void Backlog::onResponse(const Request& request, const Response& response) {
    if (request.kind != kind_ || response.status != 200) return;
    total_ += static_cast<double>(intField(response.body, "total"));
    claimed_ += static_cast<double>(intField(response.body, "claimed"));
    free_ += static_cast<double>(intField(response.body, "free"));
    metrics_.setGauge("backlog_total", total_);
    metrics_.setGauge("backlog_claimed", claimed_);
    metrics_.setGauge("backlog_free", free_);
}

}  // namespace zqbench
