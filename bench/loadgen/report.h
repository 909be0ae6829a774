// The results of a run, as a table for people and as JSON for bench/compare.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "loadgen/metrics.h"
#include "loadgen/options.h"

namespace zqbench {

struct RunInfo {
    const Options& options;
    std::string project;
    std::string roles;
    double measuredSeconds = 0;
    uint64_t reconnects = 0;
    uint64_t connectionFailures = 0;
    double cpuSeconds = 0;  // the load generator's own CPU time, whole run (setup included)
};

void printTable(FILE* out, const RunInfo& run, const Metrics& metrics);
std::string toJson(const RunInfo& run, const Metrics& metrics);

}  // namespace zqbench
