// What a run measures. Request kinds (post, claim, list, ...) each get a latency histogram
// and a tally of statuses; scenarios add named counters (messages posted, delivered...),
// extra histograms (end-to-end latency) and gauges read after the run (backlog).
// Only what falls inside the measurement window counts: requests whose intended send time
// is after the warm-up and that completed before the end.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "loadgen/histogram.h"
#include "loadgen/request.h"

namespace zqbench {

struct KindStats {
    std::string name;
    std::vector<int> expected;  // statuses that count as success
    Histogram latency;          // ns from intended send time to response
    std::map<int, uint64_t> statuses;
    uint64_t requests = 0;
    uint64_t errors = 0;
};

struct Counter {
    std::string name;
    uint64_t value = 0;
};

struct NamedHistogram {
    std::string name;
    Histogram values;
};

class Metrics {
  public:
    int addKind(std::string name, std::initializer_list<int> expected);
    int addCounter(std::string name);
    int addHistogram(std::string name);
    void setGauge(const std::string& name, double value);
    // The counter reported as "messages/s" for the scenario.
    void setMessageCounter(int counter) { messageCounter_ = counter; }

    void setWindow(uint64_t startNs, uint64_t endNs) {
        windowStart_ = startNs;
        windowEnd_ = endNs;
    }
    uint64_t windowStart() const { return windowStart_; }
    uint64_t windowEnd() const { return windowEnd_; }

    // Returns whether the status is one the kind expects (whether or not it was recorded).
    bool record(const Request& request, const Response& response);
    bool expected(int kind, int status) const;
    // Counters and samples follow the same window rule as requests, judged on the request
    // and response they come from, so that counts and request rates agree.
    bool counts(const Request& request, const Response& response) const {
        return request.intendedNs >= windowStart_ && response.completedNs <= windowEnd_;
    }
    void count(int counter, uint64_t n, const Request& request, const Response& response) {
        if (counts(request, response)) counters_[static_cast<size_t>(counter)].value += n;
    }
    void sample(int histogram, uint64_t value, const Request& request, const Response& response) {
        if (counts(request, response))
            histograms_[static_cast<size_t>(histogram)].values.record(value);
    }
    // Requests still waiting for an answer when the run ended, with an intended time
    // inside the window: reported, since a server that stalls would otherwise look fast.
    void addUnfinished(uint64_t n) { unfinished_ += n; }

    const std::vector<KindStats>& kinds() const { return kinds_; }
    const std::vector<Counter>& counters() const { return counters_; }
    const std::vector<NamedHistogram>& histograms() const { return histograms_; }
    const std::vector<std::pair<std::string, double>>& gauges() const { return gauges_; }
    int messageCounter() const { return messageCounter_; }
    uint64_t unfinished() const { return unfinished_; }

  private:
    std::vector<KindStats> kinds_;
    std::vector<Counter> counters_;
    std::vector<NamedHistogram> histograms_;
    std::vector<std::pair<std::string, double>> gauges_;
    int messageCounter_ = -1;
    uint64_t windowStart_ = 0;
    uint64_t windowEnd_ = UINT64_MAX;
    uint64_t unfinished_ = 0;
};

}  // namespace zqbench
