// Reads what is left in the benchmark queues after a run (GET .../stats of each queue) and
// reports it as gauges: backlog_total, backlog_claimed, backlog_free.
#pragma once

#include <vector>

#include "loadgen/metrics.h"
#include "loadgen/request.h"

namespace zqbench {

class Backlog {
  public:
    Backlog(Metrics& metrics, int queues);
    std::vector<Request> requests() const;
    void onResponse(const Request& request, const Response& response);

  private:
    Metrics& metrics_;
    int queues_;
    int kind_;
    double total_ = 0;
    double claimed_ = 0;
    double free_ = 0;
};

}  // namespace zqbench
