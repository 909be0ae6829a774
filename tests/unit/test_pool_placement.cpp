// Weighted placement (storage/pooling/catalog.h weightedChoice), Zaqar's select.weighted.
#include <gtest/gtest.h>

#include "storage/pooling/catalog.h"

using zaqard::storage::pooling::weightedChoice;

TEST(PoolPlacement, WeightZeroIsNeverChosen) {
    for (uint64_t roll = 0; roll < 100; ++roll) EXPECT_NE(weightedChoice({0, 2, 0, 1}, roll), 0);
    EXPECT_EQ(weightedChoice({0, 0}, 5), -1);
    EXPECT_EQ(weightedChoice({}, 5), -1);
}

TEST(PoolPlacement, RollsSpreadByWeight) {
    // Weights 1 and 3 over every roll of one cycle: exactly 1:3.
    int counts[2] = {0, 0};
    for (uint64_t roll = 0; roll < 400; ++roll) ++counts[weightedChoice({1, 3}, roll)];
    EXPECT_EQ(counts[0], 100);
    EXPECT_EQ(counts[1], 300);
    EXPECT_EQ(weightedChoice({4294967295LL, 4294967295LL}, 4294967295ULL), 1);
}
