#include "common/stream_worker/stream_worker.h"

#include <set>

#include <gtest/gtest.h>

#include "tests/harness/redis_test.h"

namespace telederm {
namespace {

class StreamWorkerTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
  }
  std::unique_ptr<StreamWorker> Worker(const std::string& name, StreamWorker::Handler handler) {
    StreamWorkerOptions options;
    options.reclaim_idle = absl::Milliseconds(50);
    return std::make_unique<StreamWorker>(
        std::make_unique<redis::StreamConsumer>(redis_, "stream:test", "group", name), std::move(handler), options);
  }
  void Append(const std::string& value) { ASSERT_TRUE(redis::StreamAppend(*redis_, "stream:test", {{"v", value}}).ok()); }
  long long Pending() { return redis_->Command({"XPENDING", "stream:test", "group"})->elements[0].integer; }
  // How many times Redis ran `command` since the server started (INFO commandstats).
  long long Calls(const std::string& command) {
    const std::string info = redis_->Command({"INFO", "commandstats"})->str;
    const std::string prefix = "cmdstat_" + command + ":calls=";
    const size_t at = info.find(prefix);
    return at == std::string::npos ? 0 : std::stoll(info.substr(at + prefix.size()));
  }

};

TEST_F(StreamWorkerTest, EntriesAppendedBeforeTheWorkerStartedAreHandledAndAcked) {
  Append("a");
  Append("b");
  std::vector<std::string> seen;
  auto worker = Worker("w1", [&](const redis::StreamEntry& e) {
    seen.push_back(*e.Field("v"));
    return absl::OkStatus();
  });
  ASSERT_TRUE(worker->Recover().ok());
  EXPECT_EQ(*worker->PollOnce(absl::ZeroDuration()), 2);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Pending(), 0);
}

TEST_F(StreamWorkerTest, FailedEntryStaysPendingAndIsRetriedAfterItIdles) {
  Append("a");
  int attempts = 0;
  auto worker = Worker("w1", [&](const redis::StreamEntry&) {
    return ++attempts == 1 ? absl::UnavailableError("redis away") : absl::OkStatus();
  });
  ASSERT_TRUE(worker->Recover().ok());
  EXPECT_EQ(*worker->PollOnce(absl::ZeroDuration()), 0);
  EXPECT_EQ(Pending(), 1);
  absl::SleepFor(absl::Milliseconds(80));  // past reclaim_idle
  EXPECT_EQ(*worker->ReclaimOnce(), 1);
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(Pending(), 0);
}

TEST_F(StreamWorkerTest, EntriesOfACrashedConsumerAreTakenOverByAnother) {
  Append("a");
  Append("b");
  // The first consumer reads both and "crashes" before acking.
  auto crashed = Worker("dead", [](const redis::StreamEntry&) { return absl::InternalError("crash"); });
  ASSERT_TRUE(crashed->Recover().ok());
  ASSERT_EQ(*crashed->PollOnce(absl::ZeroDuration()), 0);
  std::set<std::string> seen;
  auto survivor = Worker("alive", [&](const redis::StreamEntry& e) {
    seen.insert(*e.Field("v"));
    return absl::OkStatus();
  });
  ASSERT_TRUE(survivor->Recover().ok());
  EXPECT_EQ(*survivor->PollOnce(absl::ZeroDuration()), 0);  // nothing new
  absl::SleepFor(absl::Milliseconds(80));
  EXPECT_EQ(*survivor->ReclaimOnce(), 2);
  EXPECT_EQ(seen, (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(Pending(), 0);
}

TEST_F(StreamWorkerTest, RestartedConsumerFinishesItsOwnPendingEntriesFirst) {
  Append("a");
  {
    auto before_crash = Worker("w1", [](const redis::StreamEntry&) { return absl::InternalError("crash"); });
    ASSERT_TRUE(before_crash->Recover().ok());
    ASSERT_EQ(*before_crash->PollOnce(absl::ZeroDuration()), 0);
  }
  std::vector<std::string> seen;
  auto restarted = Worker("w1", [&](const redis::StreamEntry& e) {
    seen.push_back(*e.Field("v"));
    return absl::OkStatus();
  });
  ASSERT_TRUE(restarted->Recover().ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"a"}));
  EXPECT_EQ(Pending(), 0);
}

TEST_F(StreamWorkerTest, HandledEntriesOfABatchAreAckedInOneCommandAndAFailedOneStaysPending) {
  Append("a");
  Append("b");
  Append("c");
  auto worker = Worker("w1", [&](const redis::StreamEntry& e) {
    return *e.Field("v") == "b" ? absl::InternalError("cannot") : absl::OkStatus();
  });
  ASSERT_TRUE(worker->Recover().ok());
  const long long acks_before = Calls("xack");
  EXPECT_EQ(*worker->PollOnce(absl::ZeroDuration()), 2);
  EXPECT_EQ(Calls("xack") - acks_before, 1);
  auto pending = redis_->Command({"XPENDING", "stream:test", "group", "-", "+", "10"});
  ASSERT_EQ(pending->elements.size(), 1u);
  const std::string failed_id = pending->elements[0].elements[0].str;
  auto failed = redis_->Command({"XRANGE", "stream:test", failed_id, failed_id});
  EXPECT_EQ(failed->elements[0].elements[1].elements[1].str, "b");
}

TEST_F(StreamWorkerTest, ABatchHandlerSeesTheWholeBatchAndOnlyItsOkEntriesAreAcked) {
  Append("a");
  Append("b");
  Append("c");
  std::vector<size_t> batch_sizes;
  StreamWorkerOptions options;
  options.reclaim_idle = absl::Milliseconds(50);
  StreamWorker worker(std::make_unique<redis::StreamConsumer>(redis_, "stream:test", "group", "w1"),
                      StreamWorker::BatchHandler([&](const std::vector<redis::StreamEntry>& entries) {
                        batch_sizes.push_back(entries.size());
                        std::vector<absl::Status> handled;
                        for (const redis::StreamEntry& e : entries) {
                          handled.push_back(*e.Field("v") == "c" ? absl::UnavailableError("redis away")
                                                                 : absl::OkStatus());
                        }
                        return handled;
                      }),
                      options);
  ASSERT_TRUE(worker.Recover().ok());
  EXPECT_EQ(*worker.PollOnce(absl::ZeroDuration()), 2);
  EXPECT_EQ(batch_sizes, (std::vector<size_t>{3}));
  EXPECT_EQ(Pending(), 1);
}

}  // namespace
}  // namespace telederm
