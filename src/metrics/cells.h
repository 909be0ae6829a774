// The storage of one metric on one thread. Each thread owns its cells (thread_metrics.h):
// only the owner writes, with a relaxed load and store (no locked instruction, no
// contention), and the scrape reads them from another thread with relaxed loads, as
// memcached sums its threads' stats. A reading may be a few increments behind; it is
// never torn (64-bit atomics).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace zaqard::metrics {

// A monotonically increasing count, written by its owner thread only.
class Counter {
  public:
    void add(uint64_t n = 1) {
        value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    uint64_t read() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<uint64_t> value_{0};
};

// A value that goes up and down, written by its owner thread only. One thread's part may
// be negative (a connection opened on one thread, closed on another); the sum is right.
class Gauge {
  public:
    void add(int64_t n) {
        value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    int64_t read() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<int64_t> value_{0};
};

// A histogram with fixed upper bounds (`Bounds`, a constexpr std::array of integers in the
// unit the caller records, e.g. microseconds), plus the +Inf bucket. Buckets are stored
// non-cumulative; the exposition writer accumulates them.
template <const auto& Bounds>
class Histogram {
  public:
    static constexpr size_t kBuckets = Bounds.size() + 1;

    void record(uint64_t value) {
        // Bounds are few (≤ 20) and most values fall in the first buckets: a linear scan
        // beats a binary search here.
        size_t i = 0;
        while (i < Bounds.size() && value > Bounds[i]) ++i;
        buckets_[i].add();
        sum_.add(value);
    }
    uint64_t bucket(size_t i) const { return buckets_[i].read(); }
    uint64_t sum() const { return sum_.read(); }

  private:
    std::array<Counter, kBuckets> buckets_{};
    Counter sum_;
};

// A plain (non-atomic) copy of histograms summed over threads, for the scrape.
template <size_t N>
struct HistogramSum {
    std::array<uint64_t, N> buckets{};
    uint64_t sum = 0;

    template <typename H>
    void add(const H& histogram) {
        for (size_t i = 0; i < N; ++i) buckets[i] += histogram.bucket(i);
        sum += histogram.sum();
    }
    uint64_t count() const {
        uint64_t total = 0;
        for (uint64_t b : buckets) total += b;
        return total;
    }
};

}  // namespace zaqard::metrics
