#include "common/imaging/bounded_decoder.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

namespace telederm::imaging {
namespace {

TEST(BoundedDecoderTest, JobWithinItsLimitRunsAndItsResultIsVisible) {
  BoundedDecoder decoder({.threads = 2, .max_queued = 2, .time_limit = absl::Minutes(1)});
  int answer = 0;
  EXPECT_TRUE(decoder.Run([&answer] { answer = 42; }).ok());
  EXPECT_EQ(answer, 42);
}

// A decode that overruns is answered at once and keeps its thread until it
// ends; with every thread so held, a new image never starts: the pool is
// what caps the abandoned work.
TEST(BoundedDecoderTest, OverrunningJobIsAbandonedAndHoldsItsThreadSoNewJobsAreRefusedNotPiledUp) {
  BoundedDecoder decoder({.threads = 1, .max_queued = 4, .time_limit = absl::Milliseconds(50)});
  auto release = std::make_shared<absl::Notification>();
  auto finished = std::make_shared<std::atomic<bool>>(false);
  absl::Status slow = decoder.Run([release, finished] {
    release->WaitForNotification();
    *finished = true;
  });
  EXPECT_EQ(slow.code(), absl::StatusCode::kDeadlineExceeded) << slow;
  EXPECT_FALSE(*finished);

  bool second_ran = false;
  absl::Status second = decoder.Run([&second_ran] { second_ran = true; });
  EXPECT_EQ(second.code(), absl::StatusCode::kResourceExhausted) << second;
  EXPECT_FALSE(second_ran);
  EXPECT_EQ(decoder.queued(), 0);

  release->Notify();  // the abandoned job ends; its thread serves again
  bool third_ran = false;
  absl::Status third;
  for (int i = 0; i < 200 && !third_ran; ++i) third = decoder.Run([&third_ran] { third_ran = true; });
  EXPECT_TRUE(third.ok()) << third;
  EXPECT_TRUE(third_ran);
  EXPECT_TRUE(*finished);
}

TEST(BoundedDecoderTest, WithoutAQueueAJobStillRunsOnAnIdleThread) {
  BoundedDecoder decoder({.threads = 1, .max_queued = 0, .time_limit = absl::Minutes(1)});
  bool ran = false;
  absl::Status s;
  // The thread may not have reached its wait yet: it is idle once it has.
  for (int i = 0; i < 1000 && !ran; ++i) {
    s = decoder.Run([&ran] { ran = true; });
    if (!ran) absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_TRUE(ran);
}

TEST(BoundedDecoderTest, FullQueueIsRefusedAtOnceWithResourceExhausted) {
  BoundedDecoder decoder({.threads = 1, .max_queued = 1, .time_limit = absl::Hours(1)});
  absl::Notification running, release;
  absl::Status first, second;
  std::thread a([&] { first = decoder.Run([&] { running.Notify(); release.WaitForNotification(); }); });
  running.WaitForNotification();
  std::thread b([&] { second = decoder.Run([] {}); });
  // The decoder has no event for "a job is queued": poll its count, bounded.
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (decoder.queued() < 1 && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(1));
  EXPECT_EQ(decoder.queued(), 1) << "the second job was never queued";

  bool third_ran = false;
  absl::Status third = decoder.Run([&third_ran] { third_ran = true; });
  EXPECT_EQ(third.code(), absl::StatusCode::kResourceExhausted) << third;
  EXPECT_FALSE(third_ran);

  release.Notify();
  a.join();
  b.join();
  EXPECT_TRUE(first.ok()) << first;
  EXPECT_TRUE(second.ok()) << second;
}

}  // namespace
}  // namespace telederm::imaging
