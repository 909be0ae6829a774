// Dead-letter redrive in paced batches; see redriver.h.
#include "storage/redis/redriver.h"

#include <algorithm>
#include <chrono>

#include "storage/redis/key_layout.h"

namespace zaqard::storage::redis {

namespace {

// Messages per redrive_take without a rate (one call stays short: each message is a few
// commands inside the script).
constexpr int64_t kBatch = 100;
// With a rate: about ten batches a second at most, each of at least one message.
int64_t batchForRate(int64_t rate) {
    return std::clamp<int64_t>((rate + 9) / 10, 1, kBatch);
}

using Clock = std::chrono::steady_clock;

}  // namespace

struct Redriver::Task {
    RedriveRequest request;
    Callback<RedriveResult> done;
    std::string dlqTag;
    RedriveResult result;
    std::string marker;  // walk position (rank) in the DLQ; "" = its head
    size_t nextIdIndex = 0;
    int64_t batch = kBatch;
    Clock::time_point batchStart;
    event::TimerPtr timer;
};

Redriver::Redriver(RedisContext& context) : context_(context) {}

Redriver::~Redriver() = default;

void Redriver::start(const RedriveRequest& request, Callback<RedriveResult> done) {
    auto task = std::make_unique<Task>();
    task->request = request;
    task->done = std::move(done);
    QueueRef dlq{request.source.project, request.deadLetterQueue, request.source.kind};
    task->dlqTag = queueTag(dlq);
    if (request.rate > 0) task->batch = batchForRate(request.rate);
    uint64_t id = nextId_++;
    task->timer = context_.dispatcher.createTimer([this, id] { step(id); });
    tasks_.emplace(id, std::move(task));
    step(id);
}

void Redriver::step(uint64_t id) {
    auto found = tasks_.find(id);
    if (found == tasks_.end()) return;
    Task& task = *found->second;
    int64_t want = task.batch;
    if (task.request.limit)
        want = std::min<int64_t>(
            want, *task.request.limit - static_cast<int64_t>(task.result.ids.size()));
    std::vector<std::string> args{task.request.source.name, std::to_string(want), task.marker};
    const auto& ids = task.request.ids;
    if (!ids.empty()) {
        size_t end = std::min(ids.size(), task.nextIdIndex + static_cast<size_t>(want));
        args.insert(args.end(), ids.begin() + static_cast<std::ptrdiff_t>(task.nextIdIndex),
                    ids.begin() + static_cast<std::ptrdiff_t>(end));
        task.nextIdIndex = end;
    }
    task.batchStart = Clock::now();
    std::weak_ptr<bool> alive = alive_;
    context_.runQueueScript(
        "redrive_take", task.dlqTag, std::move(args), [this, alive, id](Result<RedisValue> reply) {
            if (alive.expired()) return;
            auto it = tasks_.find(id);
            if (it == tasks_.end()) return;
            Task& task = *it->second;
            if (!reply.ok()) return finish(id, reply.error());
            const RedisValue& value = reply.value();
            for (size_t i = 3; i < value.size(); ++i)
                task.result.ids.push_back(value.at(i).asString());
            task.marker = value.at(2).asString();
            bool more = task.request.ids.empty() ? !task.marker.empty()
                                                 : task.nextIdIndex < task.request.ids.size();
            if (task.request.limit &&
                static_cast<int64_t>(task.result.ids.size()) >= *task.request.limit)
                more = false;
            if (!more) return finish(id, std::move(task.result));
            if (task.request.rate <= 0) return step(id);
            // This batch's share of a second at `rate`, counted from its start.
            auto pace = std::chrono::milliseconds(task.batch * 1000 / task.request.rate);
            auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() -
                                                                               task.batchStart);
            task.timer->enable(std::max(pace - spent, std::chrono::milliseconds(0)));
        });
}

void Redriver::finish(uint64_t id, Result<RedriveResult> result) {
    auto it = tasks_.find(id);
    if (it == tasks_.end()) return;
    std::unique_ptr<Task> task = std::move(it->second);
    tasks_.erase(it);
    auto done = std::move(task->done);
    // Not freed inside a callback of its own timer (loop rule): after this iteration.
    context_.dispatcher.deferDelete(std::move(task));
    done(std::move(result));
}

}  // namespace zaqard::storage::redis
