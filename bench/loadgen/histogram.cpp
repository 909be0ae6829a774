// Bucket arithmetic for the log-linear histogram: values below 2*kSubCount map to
// themselves; above, the top kSubBits+1 bits of the value select the bucket.
#include "loadgen/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace zqbench {

int Histogram::indexOf(uint64_t value) {
    const int msb = 63 - std::countl_zero(value | 1);
    if (msb <= kSubBits) return static_cast<int>(value);
    const int shift = msb - kSubBits;
    return (shift << kSubBits) + static_cast<int>(value >> shift);
}

uint64_t Histogram::lowestAt(int index) {
    if (index < 2 * kSubCount) return static_cast<uint64_t>(index);
    const int shift = (index >> kSubBits) - 1;
    const uint64_t mantissa = static_cast<uint64_t>(index - (shift << kSubBits));
    return mantissa << shift;
}

uint64_t Histogram::highestAt(int index) {
    if (index + 1 >= kBuckets) return UINT64_MAX;
    return lowestAt(index + 1) - 1;
}

void Histogram::record(uint64_t value) {
    ++counts_[static_cast<size_t>(indexOf(value))];
    ++count_;
    sum_ += value;
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
}

void Histogram::merge(const Histogram& other) {
    for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

void Histogram::reset() {
    *this = Histogram{};
}

uint64_t Histogram::valueAt(double quantile) const {
    if (count_ == 0) return 0;
    quantile = std::clamp(quantile, 0.0, 1.0);
    const auto wanted = std::max<uint64_t>(
        1, static_cast<uint64_t>(std::ceil(quantile * static_cast<double>(count_))));
    uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
        seen += counts_[static_cast<size_t>(i)];
        if (seen >= wanted) return std::clamp(highestAt(i), min_, max_);
    }
    return max_;
}

}  // namespace zqbench
