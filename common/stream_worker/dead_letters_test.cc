#include "common/stream_worker/dead_letters.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "common/stream_worker/stream_worker.h"
#include "tests/harness/redis_server.h"

namespace telederm {
namespace {

class DeadLetterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = testing::RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
  }
  static void TearDownTestSuite() { delete server_; }
  void SetUp() override {
    redis::ClientOptions options;
    options.endpoint.port = server_->port();
    redis_ = *redis::Client::Connect(options);
    ASSERT_TRUE(redis_->Command({"FLUSHALL"}).ok());
  }
  std::unique_ptr<StreamWorker> Worker(StreamWorker::Handler handler, int max_deliveries = 3) {
    StreamWorkerOptions options;
    options.reclaim_idle = absl::Milliseconds(50);
    options.dead_letters.max_deliveries = max_deliveries;
    options.dead_letters.on_dead_letter = [this](const redis::StreamEntry& entry, const std::string& error) {
      if (hook_fails_) return absl::UnavailableError("redis away");
      surfaced_.push_back(*entry.Field("case_id") + " " + error);
      return absl::OkStatus();
    };
    return std::make_unique<StreamWorker>(std::make_unique<redis::StreamConsumer>(redis_, kStream, "group", "w1"),
                                          std::move(handler), options);
  }
  void Append(const std::string& case_id) {
    ASSERT_TRUE(redis::StreamAppend(*redis_, kStream, {{"case_id", case_id}}).ok());
  }
  long long Pending() { return redis_->Command({"XPENDING", kStream, "group"})->elements[0].integer; }

  static constexpr char kStream[] = "stream:test";
  static testing::RedisServer* server_;
  std::shared_ptr<redis::Client> redis_;
  std::vector<std::string> surfaced_;
  bool hook_fails_ = false;
};
testing::RedisServer* DeadLetterTest::server_ = nullptr;

TEST_F(DeadLetterTest, EntryFailingOnEveryDeliveryIsDeadLetteredWithItsErrorAfterItsCaseIsSurfaced) {
  Append("c-1");
  int attempts = 0;
  auto worker = Worker([&](const redis::StreamEntry&) {
    ++attempts;
    return absl::InternalError("image decoder failed");
  });
  ASSERT_TRUE(worker->Recover().ok());
  EXPECT_EQ(*worker->PollOnce(absl::ZeroDuration()), 0);  // delivery 1
  ASSERT_TRUE(worker->Recover().ok());                    // delivery 2
  EXPECT_EQ(Pending(), 1);
  EXPECT_TRUE(surfaced_.empty());
  ASSERT_TRUE(worker->Recover().ok());  // delivery 3: buried
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(Pending(), 0);
  ASSERT_EQ(surfaced_.size(), 1u);
  EXPECT_EQ(surfaced_[0], "c-1 INTERNAL: image decoder failed");

  DeadLetterBox box(redis_);
  auto letters = box.List(kStream, "", 10);
  ASSERT_TRUE(letters.ok()) << letters.status();
  ASSERT_EQ(letters->size(), 1u);
  const DeadLetter& letter = (*letters)[0];
  EXPECT_EQ(letter.source_stream, kStream);
  EXPECT_EQ(letter.group, "group");
  EXPECT_EQ(letter.consumer, "w1");
  EXPECT_EQ(letter.deliveries, 3);
  EXPECT_EQ(letter.error, "INTERNAL: image decoder failed");
  EXPECT_EQ(letter.Field("case_id"), "c-1");
  EXPECT_LT(absl::Now() - letter.dead_at, absl::Minutes(1));
  auto again = box.Get(kStream, letter.id);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->entry_id, letter.entry_id);
}

TEST_F(DeadLetterTest, TransientFailuresAreRetriedWithoutBound) {
  Append("c-1");
  auto worker = Worker([](const redis::StreamEntry&) { return absl::UnavailableError("redis away"); }, 2);
  ASSERT_TRUE(worker->Recover().ok());
  EXPECT_EQ(*worker->PollOnce(absl::ZeroDuration()), 0);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(worker->Recover().ok());  // 4 deliveries, at most 2 * 2
  EXPECT_EQ(Pending(), 1);
  EXPECT_EQ(*DeadLetterBox(redis_).Count(kStream), 0);
}

TEST_F(DeadLetterTest, EntryThatKeepsCrashingItsConsumerIsBuriedWithoutRunningTheHandlerAgain) {
  Append("c-poison");
  redis::StreamConsumer crashing(redis_, kStream, "group", "w1");
  ASSERT_TRUE(crashing.EnsureGroup().ok());
  ASSERT_EQ(crashing.ReadNew(10, absl::ZeroDuration())->size(), 1u);
  // Each "crash": the process restarts and reads its own pending entry again.
  for (int i = 0; i < 6; ++i) ASSERT_EQ(crashing.ReadOwnPending(10)->size(), 1u);
  int attempts = 0;
  auto worker = Worker([&](const redis::StreamEntry&) {
    ++attempts;
    return absl::OkStatus();
  });
  ASSERT_TRUE(worker->Recover().ok());  // delivery 8 > 2 * 3
  EXPECT_EQ(attempts, 0);
  EXPECT_EQ(Pending(), 0);
  ASSERT_EQ(surfaced_.size(), 1u);
  EXPECT_TRUE(absl::StrContains(surfaced_[0], "may crash")) << surfaced_[0];
}

TEST_F(DeadLetterTest, CaseThatCannotBeSurfacedYetStaysPendingAndNothingIsBuried) {
  Append("c-1");
  hook_fails_ = true;
  auto worker = Worker([](const redis::StreamEntry&) { return absl::InternalError("bad"); }, 1);
  ASSERT_TRUE(worker->Recover().ok());
  EXPECT_EQ(*worker->PollOnce(absl::ZeroDuration()), 0);
  EXPECT_EQ(Pending(), 1);
  EXPECT_EQ(*DeadLetterBox(redis_).Count(kStream), 0);
  hook_fails_ = false;
  ASSERT_TRUE(worker->Recover().ok());
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(*DeadLetterBox(redis_).Count(kStream), 1);
}

TEST_F(DeadLetterTest, ReplayedDeadLetterIsDeliveredAgainAndLeavesTheBox) {
  Append("c-1");
  bool fixed = false;
  std::vector<std::string> handled;
  auto worker = Worker(
      [&](const redis::StreamEntry& entry) {
        if (!fixed) return absl::InternalError("bug");
        handled.push_back(*entry.Field("case_id") + " " + entry.Field("replay_of").value_or(""));
        return absl::OkStatus();
      },
      1);
  ASSERT_TRUE(worker->Recover().ok());
  EXPECT_EQ(*worker->PollOnce(absl::ZeroDuration()), 0);
  DeadLetterBox box(redis_);
  auto letters = box.List(kStream, "", 10);
  ASSERT_EQ(letters->size(), 1u);
  const std::string id = (*letters)[0].id;

  fixed = true;  // the operator deployed a fix
  auto replayed = box.Replay(kStream, id);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(*box.Count(kStream), 0);
  EXPECT_EQ(box.Replay(kStream, id).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*worker->PollOnce(absl::ZeroDuration()), 1);
  EXPECT_EQ(handled, (std::vector<std::string>{"c-1 " + id}));
  EXPECT_FALSE(box.Get(kStream, id)->has_value());
  EXPECT_EQ(box.Get(kStream, "nonsense").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace telederm
