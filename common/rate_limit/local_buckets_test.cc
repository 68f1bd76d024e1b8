#include "common/rate_limit/local_buckets.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace telederm::rate_limit {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

TEST(LocalBucketsTest, BurstThenEmptyThenRefilledAtTheRate) {
  LocalBuckets buckets({.per_second = 2, .burst = 3}, 100);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(buckets.Empty("conn-1", kStart)) << i;
    buckets.Take("conn-1", kStart);
  }
  EXPECT_TRUE(buckets.Empty("conn-1", kStart));
  EXPECT_TRUE(buckets.Empty("conn-1", kStart + absl::Milliseconds(499)));
  EXPECT_FALSE(buckets.Empty("conn-1", kStart + absl::Milliseconds(500)));
  buckets.Take("conn-1", kStart + absl::Milliseconds(500));
  EXPECT_TRUE(buckets.Empty("conn-1", kStart + absl::Milliseconds(500)));
  // Never more than the burst, however long the quiet spell.
  const absl::Time later = kStart + absl::Hours(1);
  for (int i = 0; i < 3; ++i) buckets.Take("conn-1", later);
  EXPECT_TRUE(buckets.Empty("conn-1", later));
}

TEST(LocalBucketsTest, EachKeyHasItsOwnBucket) {
  LocalBuckets buckets({.per_second = 1, .burst = 1}, 100);
  buckets.Take("conn-1", kStart);
  EXPECT_TRUE(buckets.Empty("conn-1", kStart));
  EXPECT_FALSE(buckets.Empty("conn-2", kStart));
}

TEST(LocalBucketsTest, ManyKeysNeverGrowTheMapBeyondItsBoundAndTheBusiestKeepTheirBuckets) {
  LocalBuckets buckets({.per_second = 1, .burst = 2}, 10);
  buckets.Take("flooding", kStart);
  buckets.Take("flooding", kStart);
  // Ten thousand keys, one call each; the flooding key keeps calling after each,
  // so it is never the one touched longest ago.
  for (int i = 0; i < 10000; ++i) {
    buckets.Take(absl::StrCat("conn-", i), kStart + absl::Milliseconds(1));
    buckets.Take("flooding", kStart + absl::Milliseconds(2));
    ASSERT_LE(buckets.size(), 10u);
  }
  EXPECT_TRUE(buckets.Empty("flooding", kStart + absl::Milliseconds(2)));
}

TEST(LocalBucketsTest, BucketsThatFilledUpAgainAreForgottenFirst) {
  LocalBuckets buckets({.per_second = 1, .burst = 1}, 2);
  buckets.Take("idle", kStart);
  buckets.Take("busy", kStart + absl::Seconds(1));
  // At kStart + 1.5 s "idle" is full again, "busy" is not: "idle" makes room.
  buckets.Take("new", kStart + absl::Milliseconds(1500));
  EXPECT_EQ(buckets.size(), 2u);
  EXPECT_TRUE(buckets.Empty("busy", kStart + absl::Milliseconds(1500)));
  EXPECT_TRUE(buckets.Empty("new", kStart + absl::Milliseconds(1500)));
}

}  // namespace
}  // namespace telederm::rate_limit
