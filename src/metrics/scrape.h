// The scrape: sums every thread's cells (thread_metrics.h) and writes the exposition.
// Runs on whichever shard serves GET /metrics; reads the other threads' cells with
// relaxed loads and never stops them.
#pragma once

#include <span>
#include <string>

namespace zaqard::metrics {

// `actionNames[i]` labels action i (the api's action table names); requests counted for
// an index without a name are labelled "unrouted".
std::string scrape(std::span<const char* const> actionNames);

}  // namespace zaqard::metrics
