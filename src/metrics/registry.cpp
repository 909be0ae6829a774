#include "src/metrics/registry.h"

#include <memory>
#include <mutex>

#include "src/metrics/record.h"

namespace zaqard::metrics {

namespace {

struct Registry {
    std::mutex lock;
    std::vector<std::unique_ptr<ThreadMetrics>> threads;
    std::vector<RedisSeriesName> redis;
};

// Never destroyed: a thread may still record while static destructors run at exit.
Registry& registry() {
    static Registry* instance = new Registry;
    return *instance;
}

}  // namespace

ThreadMetrics* attachThread() {
    Registry& r = registry();
    auto metrics = std::make_unique<ThreadMetrics>();
    ThreadMetrics* raw = metrics.get();
    {
        std::lock_guard<std::mutex> guard(r.lock);
        r.threads.push_back(std::move(metrics));
    }
    detail::tlsMetrics = raw;
    return raw;
}

void setThreadShard(int shard) {
    local().shard.store(shard, std::memory_order_relaxed);
}

int redisSeries(std::string_view store, std::string_view node) {
    Registry& r = registry();
    std::lock_guard<std::mutex> guard(r.lock);
    for (size_t i = 0; i < r.redis.size(); ++i)
        if (r.redis[i].store == store && r.redis[i].node == node) return static_cast<int>(i);
    if (r.redis.size() + 1 >= static_cast<size_t>(kMaxRedisSeries)) {
        if (r.redis.size() < static_cast<size_t>(kMaxRedisSeries))
            r.redis.push_back({"other", "other"});
        return kMaxRedisSeries - 1;
    }
    r.redis.push_back({std::string(store), std::string(node)});
    return static_cast<int>(r.redis.size() - 1);
}

std::vector<RedisSeriesName> redisSeriesNames() {
    Registry& r = registry();
    std::lock_guard<std::mutex> guard(r.lock);
    return r.redis;
}

void forEachThread(const std::function<void(const ThreadMetrics&)>& visit) {
    Registry& r = registry();
    std::lock_guard<std::mutex> guard(r.lock);
    for (const auto& metrics : r.threads) visit(*metrics);
}

}  // namespace zaqard::metrics
