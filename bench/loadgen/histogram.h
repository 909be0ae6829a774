// A log-linear latency histogram in the spirit of HdrHistogram: each power-of-two range is
// split into 128 linear sub-buckets, so any recorded value is reported within 0.8 % of its
// true value, from 1 ns to hours, in a fixed 60 KB array (no allocation while recording).
#pragma once

#include <array>
#include <cstdint>

namespace zqbench {

class Histogram {
  public:
    static constexpr int kSubBits = 7;
    static constexpr int kSubCount = 1 << kSubBits;
    static constexpr int kBuckets = (64 - kSubBits) * kSubCount;

    void record(uint64_t value);
    void merge(const Histogram& other);
    void reset();

    uint64_t count() const { return count_; }
    uint64_t min() const { return count_ ? min_ : 0; }
    uint64_t max() const { return max_; }
    double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0.0; }
    // The smallest value v such that at least `quantile` of the recorded values are <= v
    // (reported as the upper edge of its bucket, clamped to the observed maximum).
    uint64_t valueAt(double quantile) const;

    static int indexOf(uint64_t value);
    static uint64_t lowestAt(int index);
    static uint64_t highestAt(int index);

  private:
    std::array<uint64_t, kBuckets> counts_{};
    uint64_t count_ = 0;
    uint64_t min_ = UINT64_MAX;
    uint64_t max_ = 0;
    // Sum in a wide type: 2^64 ns is 584 years, so overflow needs absurd runs.
    unsigned __int128 sum_ = 0;
};

}  // namespace zqbench
