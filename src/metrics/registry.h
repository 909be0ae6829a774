// The process's metric registry: one ThreadMetrics per thread that records (attached on
// its first recording, kept until the process ends so counts never go backwards), and
// the names behind interned Redis series. Attaching a thread and interning a name take
// a mutex; recording never does (record.h).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "src/metrics/thread_metrics.h"

namespace zaqard::metrics {

// The calling thread's metrics, attached now if this is its first use.
ThreadMetrics* attachThread();

// Names the calling thread's shard (labels its loop metrics). Call once on the thread.
void setThreadShard(int shard);

// The series index of (store, node) for Redis metrics: the same pair always gets the same
// index. Past kMaxRedisSeries - 1 pairs every new pair shares the last, labelled
// store="other", node="other". Not for the request path: clients call it when they
// connect.
int redisSeries(std::string_view store, std::string_view node);

struct RedisSeriesName {
    std::string store;
    std::string node;
};
// Index i names series i.
std::vector<RedisSeriesName> redisSeriesNames();

// Calls `visit` for each attached thread's metrics (under the registry's mutex, which
// only attaching threads contend for).
void forEachThread(const std::function<void(const ThreadMetrics&)>& visit);

}  // namespace zaqard::metrics
