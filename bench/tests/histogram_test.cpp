// The histogram must stay within its stated precision and give exact answers for small values.
#include "loadgen/histogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace zqbench {
namespace {

TEST(Histogram, BucketsAreContiguousAndMonotonic) {
    for (int i = 0; i + 1 < Histogram::kBuckets - 1; ++i) {
        ASSERT_EQ(Histogram::highestAt(i) + 1, Histogram::lowestAt(i + 1)) << i;
    }
    for (uint64_t v :
         {0ull, 1ull, 255ull, 256ull, 257ull, 1000ull, 123456789ull, 1ull << 40, ~0ull}) {
        const int i = Histogram::indexOf(v);
        EXPECT_LE(Histogram::lowestAt(i), v);
        EXPECT_GE(Histogram::highestAt(i), v);
    }
}

TEST(Histogram, SmallValuesAreExact) {
    Histogram h;
    for (uint64_t v = 1; v <= 100; ++v) h.record(v);
    EXPECT_EQ(h.valueAt(0.5), 50u);
    EXPECT_EQ(h.valueAt(0.99), 99u);
    EXPECT_EQ(h.valueAt(1.0), 100u);
    EXPECT_EQ(h.min(), 1u);
    EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(Histogram, QuantilesWithinOnePercent) {
    Histogram h;
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> latency(13.0, 1.0);  // ~0.4 ms median, in ns
    std::vector<uint64_t> values;
    for (int i = 0; i < 200000; ++i) {
        values.push_back(static_cast<uint64_t>(latency(rng)));
        h.record(values.back());
    }
    std::sort(values.begin(), values.end());
    for (double q : {0.5, 0.9, 0.99, 0.999}) {
        const auto exact =
            static_cast<double>(values[static_cast<size_t>(std::ceil(q * values.size())) - 1]);
        EXPECT_NEAR(static_cast<double>(h.valueAt(q)), exact, exact * 0.01) << q;
    }
    EXPECT_EQ(h.valueAt(1.0), values.back());
}

TEST(Histogram, MergeAddsCounts) {
    Histogram a, b;
    a.record(10);
    b.record(1000000);
    a.merge(b);
    EXPECT_EQ(a.count(), 2u);
    EXPECT_EQ(a.max(), 1000000u);
    EXPECT_EQ(a.min(), 10u);
}

}  // namespace
}  // namespace zqbench
