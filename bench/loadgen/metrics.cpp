// Latency is charged from the intended send time (see rate_limiter.h).
#include "loadgen/metrics.h"

#include <algorithm>

namespace zqbench {

int Metrics::addKind(std::string name, std::initializer_list<int> expected) {
    kinds_.push_back(KindStats{std::move(name), std::vector<int>(expected), {}, {}, 0, 0});
    return static_cast<int>(kinds_.size() - 1);
}

int Metrics::addCounter(std::string name) {
    counters_.push_back(Counter{std::move(name), 0});
    return static_cast<int>(counters_.size() - 1);
}

int Metrics::addHistogram(std::string name) {
    histograms_.push_back(NamedHistogram{std::move(name), {}});
    return static_cast<int>(histograms_.size() - 1);
}

void Metrics::setGauge(const std::string& name, double value) {
    for (auto& g : gauges_) {
        if (g.first == name) {
            g.second = value;
            return;
        }
    }
    gauges_.emplace_back(name, value);
}

bool Metrics::expected(int kind, int status) const {
    const auto& ok = kinds_[static_cast<size_t>(kind)].expected;
    return std::find(ok.begin(), ok.end(), status) != ok.end();
}

bool Metrics::record(const Request& request, const Response& response) {
    const bool ok = expected(request.kind, response.status);
    if (!counts(request, response)) return ok;
    KindStats& k = kinds_[static_cast<size_t>(request.kind)];
    ++k.requests;
    ++k.statuses[response.status];
    if (!ok) ++k.errors;
    k.latency.record(response.completedNs - std::min(request.intendedNs, response.completedNs));
    return ok;
}

}  // namespace zqbench
