#include "common/rate_limit/rate_limiter.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "tests/harness/redis_test.h"

namespace telederm::rate_limit {
namespace {

class RateLimiterTest : public testing::RedisTest {
 protected:
  std::shared_ptr<SimulatedClock> clock_ = std::make_shared<SimulatedClock>(absl::FromUnixSeconds(1700000000));
};

TEST_F(RateLimiterTest, BurstIsAllowedThenResourceExhaustedWithRetryTime) {
  RateLimiter limiter(redis_, clock_, {.per_second = 2, .burst = 5});
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.Take("clinic-a").ok()) << i;
  absl::Status refused = limiter.Take("clinic-a");
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(absl::StrContains(refused.message(), "retry in 500 ms")) << refused.message();
}

TEST_F(RateLimiterTest, BucketRefillsWithTime) {
  RateLimiter limiter(redis_, clock_, {.per_second = 2, .burst = 5});
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(limiter.Take("clinic-a").ok());
  ASSERT_FALSE(limiter.Take("clinic-a").ok());
  clock_->Advance(absl::Seconds(1));
  EXPECT_TRUE(limiter.Take("clinic-a").ok());
  EXPECT_TRUE(limiter.Take("clinic-a").ok());
  EXPECT_FALSE(limiter.Take("clinic-a").ok());
  clock_->Advance(absl::Hours(1));  // never more than the burst
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Take("clinic-a").ok());
  EXPECT_FALSE(limiter.Take("clinic-a").ok());
}

TEST_F(RateLimiterTest, ClinicsHaveTheirOwnBuckets) {
  RateLimiter limiter(redis_, clock_, {.per_second = 1, .burst = 1});
  ASSERT_TRUE(limiter.Take("clinic-a").ok());
  EXPECT_FALSE(limiter.Take("clinic-a").ok());
  EXPECT_TRUE(limiter.Take("clinic-b").ok());
}

TEST_F(RateLimiterTest, TwoLimitersShareTheBucketInRedis) {
  RateLimiter one(redis_, clock_, {.per_second = 1, .burst = 2});
  RateLimiter two(redis_, clock_, {.per_second = 1, .burst = 2});
  ASSERT_TRUE(one.Take("clinic-a").ok());
  ASSERT_TRUE(two.Take("clinic-a").ok());
  EXPECT_EQ(one.Take("clinic-a").code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(RateLimiterTest, BucketKeyExpires) {
  RateLimiter limiter(redis_, clock_, {.per_second = 10, .burst = 10});
  ASSERT_TRUE(limiter.Take("clinic-a").ok());
  auto ttl = redis_->Command({"PTTL", "ratelimit:{clinic-a}:bucket"});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 0);
  EXPECT_LE(ttl->integer, 2000);
}

}  // namespace
}  // namespace telederm::rate_limit
