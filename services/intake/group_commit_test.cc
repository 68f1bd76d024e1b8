// SubmitCase's group commit (submission_group_commit.h) through the real gRPC
// API, against a real redis-server. A batch is formed by holding the first
// call's flush in Redis (CLIENT PAUSE WRITE: its idempotency claim waits)
// until the others have queued behind it.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/case_store/keys.h"
#include "services/intake/intake_server_test.h"
#include "services/intake/test_submissions.h"

namespace telederm::intake {
namespace {

const std::string kNaevus = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0024311.jpg";

struct Answer {
  grpc::Status status;
  v1::SubmitCaseResponse response;
};

class GroupCommitTest : public IntakeServerTest {
 protected:
  void SetUp() override {
    IntakeServerTest::SetUp();
    IntakeOptions options;
    options.max_intake_backlog = 0;  // no backlog read between the calls and the batch
    StartIntake(nullptr, options);
    sha_ = UploadOk("clinic-a", kNaevus);
  }

  // A valid submission of patient pt-<i>.
  v1::CaseSubmission Patient(int i) const {
    v1::CaseSubmission submission = ValidTumourSubmission(sha_);
    submission.mutable_patient()->set_reference(absl::StrCat("pt-", i));
    return submission;
  }

  // Sends every request at once, each on a thread of its own, the first one
  // alone while Redis holds writes, so that the others queue behind its flush
  // and form one batch; then `release` runs (let Redis go on, or kill it).
  // Returns each call's answer, in the order of `requests`.
  template <typename Release>
  std::vector<Answer> SubmitAsOneBatch(const std::vector<std::pair<v1::CaseSubmission, std::string>>& requests,
                                       Release release) {
    EXPECT_TRUE(redis_->Command({"CLIENT", "PAUSE", "60000", "WRITE"}).ok());
    std::vector<Answer> answers(requests.size());
    std::vector<std::thread> threads;
    auto send = [&](size_t i) {
      threads.emplace_back([&, i] {
        answers[i].status = Submit("clinic-a", requests[i].first, requests[i].second, &answers[i].response);
      });
    };
    // The first call, alone, leads a flush of its own at once; its writes
    // wait in Redis, so the others queue behind it.
    send(0);
    while (service_->submissions_in_commit() < 1) std::this_thread::yield();
    for (size_t i = 1; i < requests.size(); ++i) send(i);
    while (service_->submissions_in_commit() < static_cast<int>(requests.size())) std::this_thread::yield();
    release();
    for (std::thread& t : threads) t.join();
    return answers;
  }

  // The case ids in the intake stream, each with the number of its entries.
  std::map<std::string, int> StreamEntries() {
    std::map<std::string, int> entries;
    absl::StatusOr<redis::Reply> range = redis_->Command({"XRANGE", keys::kIntakeStream, "-", "+"});
    EXPECT_TRUE(range.ok()) << range.status();
    if (!range.ok()) return entries;
    for (const redis::Reply& entry : range->elements) ++entries[entry.elements[1].elements[1].str];
    return entries;
  }

  // The intake stream holds an entry for each of `ids` and nothing else.
  void ExpectStreamHoldsEachOnce(const std::set<std::string>& ids) {
    std::map<std::string, int> entries = StreamEntries();
    EXPECT_EQ(entries.size(), ids.size());
    for (const auto& [id, count] : entries) {
      EXPECT_TRUE(ids.contains(id)) << id;
      EXPECT_EQ(count, 1) << id;
    }
  }

  std::string sha_;
};

TEST_F(GroupCommitTest, ManyConcurrentCallsEachGetTheirOwnCaseAndOneStreamEntry) {
  constexpr int kCalls = 48;
  std::vector<Answer> answers(kCalls);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCalls; ++i) {
    threads.emplace_back([&, i] {
      answers[i].status = Submit("clinic-a", Patient(i), absl::StrCat("visit-", i), &answers[i].response);
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<std::string> ids;
  for (int i = 0; i < kCalls; ++i) {
    ASSERT_TRUE(answers[i].status.ok()) << i << ": " << answers[i].status.error_message();
    EXPECT_FALSE(answers[i].response.duplicate());
    ids.insert(answers[i].response.case_id());
    v1::Case stored;
    v1::GetCaseRequest get;
    get.set_case_id(answers[i].response.case_id());
    ASSERT_TRUE(stub_->GetCase(As("clinic-a").get(), get, &stored).ok());
    EXPECT_EQ(stored.submission().patient().reference(), absl::StrCat("pt-", i));
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kCalls));
  ExpectStreamHoldsEachOnce(ids);
  EXPECT_EQ(redis_->Command({"LLEN", keys::ClinicCaseList("clinic-a")})->integer, kCalls);
}

TEST_F(GroupCommitTest, TheSameKeyTwiceInOneBatchIsOneCaseAnsweredToBoth) {
  std::vector<Answer> answers = SubmitAsOneBatch(
      {{Patient(0), "visit-0"}, {Patient(1), "visit-1"}, {Patient(1), "visit-1"}, {Patient(2), "visit-2"}},
      [this] { ASSERT_TRUE(redis_->Command({"CLIENT", "UNPAUSE"}).ok()); });
  for (const Answer& answer : answers) ASSERT_TRUE(answer.status.ok()) << answer.status.error_message();
  EXPECT_EQ(answers[1].response.case_id(), answers[2].response.case_id());
  EXPECT_NE(answers[1].response.duplicate(), answers[2].response.duplicate());
  EXPECT_FALSE(answers[3].response.duplicate());
  std::map<std::string, int> entries = StreamEntries();
  EXPECT_EQ(entries.size(), 3u);
  for (const auto& [id, count] : entries) EXPECT_EQ(count, 1) << id;
  EXPECT_EQ(redis_->Command({"LLEN", keys::ClinicCaseList("clinic-a")})->integer, 3);
}

TEST_F(GroupCommitTest, OneRefusedCallInABatchLeavesItsBatchMatesStored) {
  // pt-1's key is taken by another case before the batch: that call alone is refused.
  v1::SubmitCaseResponse earlier;
  ASSERT_TRUE(Submit("clinic-a", Patient(9), "visit-1", &earlier).ok());
  std::vector<Answer> answers =
      SubmitAsOneBatch({{Patient(0), "visit-0"}, {Patient(1), "visit-1"}, {Patient(2), "visit-2"}},
                       [this] { ASSERT_TRUE(redis_->Command({"CLIENT", "UNPAUSE"}).ok()); });
  EXPECT_TRUE(answers[0].status.ok()) << answers[0].status.error_message();
  EXPECT_EQ(answers[1].status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(answers[1].status.error_message(),
            "idempotency_key 'visit-1' was already used for a different case; use a new key for a new case");
  EXPECT_TRUE(answers[2].status.ok()) << answers[2].status.error_message();
  std::map<std::string, int> entries = StreamEntries();
  EXPECT_EQ(entries.size(), 3u);  // the earlier case and the two stored now
  EXPECT_TRUE(entries.contains(answers[0].response.case_id()));
  EXPECT_TRUE(entries.contains(answers[2].response.case_id()));
}

TEST_F(GroupCommitTest, RedisKilledUnderABatchFailsEveryCallUnavailableAndRetriesLoseAndDuplicateNothing) {
  constexpr int kCalls = 6;
  std::vector<std::pair<v1::CaseSubmission, std::string>> requests;
  for (int i = 0; i < kCalls; ++i) requests.push_back({Patient(i), absl::StrCat("visit-", i)});
  std::vector<Answer> answers =
      SubmitAsOneBatch(requests, [] { ASSERT_TRUE(redis_server().Kill().ok()); });
  for (const Answer& answer : answers) {
    EXPECT_EQ(answer.status.error_code(), grpc::StatusCode::UNAVAILABLE) << answer.status.error_message();
  }
  ASSERT_TRUE(redis_server().Restart().ok());
  std::set<std::string> ids;
  for (int i = 0; i < kCalls; ++i) {
    Answer retry;
    // Calls right after the restart may still meet the client's reconnect
    // backoff (at most 2 s).
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    do {
      retry.status = Submit("clinic-a", requests[i].first, requests[i].second, &retry.response);
    } while (retry.status.error_code() == grpc::StatusCode::UNAVAILABLE && absl::Now() < deadline);
    ASSERT_TRUE(retry.status.ok()) << i << ": " << retry.status.error_message();
    ids.insert(retry.response.case_id());
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kCalls));
  ExpectStreamHoldsEachOnce(ids);
}

}  // namespace
}  // namespace telederm::intake
