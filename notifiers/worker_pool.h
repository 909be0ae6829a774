// A small fixed pool of threads for blocking work that must stay off the event loops
// (libesmtp sessions, the sendmail command). Jobs run in submission order across the
// pool. SIGPIPE is blocked on the workers, so a peer closing a socket or pipe turns into
// an EPIPE error instead of killing the process.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace zaqard::notifiers {

class WorkerPool {
  public:
    explicit WorkerPool(size_t threads);
    // Drops the jobs still queued, waits for the running ones to return.
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Thread-safe.
    void submit(std::function<void()> job);
    size_t size() const { return threads_.size(); }

  private:
    void run();

    std::mutex lock_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace zaqard::notifiers
