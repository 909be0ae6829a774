#include "src/metrics/queue_activity.h"

#include <algorithm>
#include <atomic>
#include <tuple>

#include "src/metrics/registry.h"

namespace zaqard::metrics {

namespace {

std::atomic<int> topQueueCount{10};

// A sketch keeps a few times more counters than it reports: the counts of the queues at
// the bottom of a space-saving sketch are the least exact.
constexpr size_t kSlack = 4;

std::string keyOf(std::string_view project, std::string_view queue) {
    std::string key;
    key.reserve(project.size() + queue.size() + 1);
    key.append(project).append(1, '\n').append(queue);
    return key;
}

}  // namespace

void QueueActivity::record(std::string_view project, std::string_view queue, uint64_t messages,
                           size_t capacity) {
    std::string key = keyOf(project, queue);
    std::lock_guard guard(lock_);
    if (auto found = counts_.find(key); found != counts_.end()) {
        found->second += messages;
        return;
    }
    if (counts_.size() < capacity) {
        counts_.emplace(std::move(key), messages);
        return;
    }
    auto smallest =
        std::min_element(counts_.begin(), counts_.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    uint64_t inherited = smallest->second;
    counts_.erase(smallest);
    counts_.emplace(std::move(key), inherited + messages);
}

std::vector<QueueCount> QueueActivity::takeDecayed() {
    std::vector<QueueCount> out;
    std::lock_guard guard(lock_);
    out.reserve(counts_.size());
    for (auto it = counts_.begin(); it != counts_.end();) {
        size_t cut = it->first.find('\n');
        out.push_back({{it->first.substr(0, cut), it->first.substr(cut + 1)}, it->second});
        it->second /= 2;
        it = it->second == 0 ? counts_.erase(it) : std::next(it);
    }
    return out;
}

void setTopQueues(int count) {
    topQueueCount.store(std::max(count, 0), std::memory_order_relaxed);
}

int topQueues() {
    return topQueueCount.load(std::memory_order_relaxed);
}

size_t queueSketchCapacity() {
    return static_cast<size_t>(topQueues()) * kSlack;
}

std::vector<QueueName> busiestQueues() {
    const size_t wanted = static_cast<size_t>(topQueues());
    if (wanted == 0) return {};
    std::unordered_map<std::string, QueueCount> merged;
    forEachThread([&](const ThreadMetrics& thread) {
        for (QueueCount& counted : thread.queueActivity.takeDecayed()) {
            std::string key = keyOf(counted.name.project, counted.name.queue);
            auto [slot, fresh] = merged.try_emplace(std::move(key), counted);
            if (!fresh) slot->second.count += counted.count;
        }
    });
    std::vector<QueueCount> ranked;
    ranked.reserve(merged.size());
    for (auto& [key, counted] : merged) ranked.push_back(std::move(counted));
    // Ties by name, so equal queues keep a stable order from one scrape to the next.
    std::sort(ranked.begin(), ranked.end(), [](const QueueCount& a, const QueueCount& b) {
        if (a.count != b.count) return a.count > b.count;
        return std::tie(a.name.project, a.name.queue) < std::tie(b.name.project, b.name.queue);
    });
    std::vector<QueueName> top;
    for (size_t i = 0; i < ranked.size() && i < wanted; ++i)
        top.push_back(std::move(ranked[i].name));
    return top;
}

}  // namespace zaqard::metrics
