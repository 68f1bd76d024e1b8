// Scale-out on one Redis: two triage and two referral processes share the
// consumer groups. Sixty cases go in through intake; every one must reach the
// queue exactly once, and claiming them all from both referral processes with
// several specialists at once must hand out each case exactly once.
#include <map>
#include <set>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "tests/e2e/api.h"
#include "tests/e2e/stack.h"

namespace telederm::testing {
namespace {

const std::string kNaevus = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0024311.jpg";
constexpr int kCases = 60;
constexpr int kSpecialists = 6;

std::shared_ptr<grpc::Channel> Channel(const std::string& address) {
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

TEST(MultiProcessTest, TwoTriageAndTwoReferralProcessesLoseNothingAndServeNothingTwice) {
  StackOptions options;
  options.triage_processes = 2;
  options.referral_processes = 2;
  auto started = Stack::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  std::unique_ptr<Stack> stack = std::move(*started);
  auto intake = v1::IntakeService::NewStub(Channel(stack->address(Service::kIntake)));
  std::vector<std::unique_ptr<v1::ReferralService::Stub>> referral;
  for (int i = 0; i < 2; ++i) referral.push_back(v1::ReferralService::NewStub(Channel(stack->address(Service::kReferral, i))));

  const std::string clinic = "clinic-scale-1";
  auto image = UploadImage(*intake, clinic, ReadFileBytes(kNaevus), v1::MODALITY_DERMOSCOPY);
  ASSERT_TRUE(image.ok()) << image.status();
  std::set<std::string> submitted;
  for (int i = 0; i < kCases; ++i) {
    v1::SubmitCaseRequest request;
    *request.mutable_submission() = QuietTumourSubmission(absl::StrCat("pt-", i), *image);
    request.set_idempotency_key(absl::StrCat("scale-", i));
    v1::SubmitCaseResponse response;
    grpc::Status status = intake->SubmitCase(AsClinic(clinic).get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    submitted.insert(response.case_id());
  }
  ASSERT_EQ(submitted.size(), static_cast<size_t>(kCases));

  // Every case reaches the queue once: the queue lists each id once.
  std::vector<v1::QueueEntry> queue;
  auto list_queue = [&] {
    v1::ListQueueRequest request;
    request.set_page_size(500);
    v1::ListQueueResponse response;
    grpc::Status status = referral[1]->ListQueue(AsSpecialist("derm-observer").get(), request, &response);
    queue.assign(response.entries().begin(), response.entries().end());
    return status.ok() && queue.size() >= static_cast<size_t>(kCases);
  };
  ASSERT_TRUE(WaitUntil(list_queue, absl::Seconds(90)))
      << queue.size() << " of " << kCases << " queued\n"
      << stack->LogTail(Service::kTriage, 0) << stack->LogTail(Service::kTriage, 1)
      << stack->LogTail(Service::kReferral, 0) << stack->LogTail(Service::kReferral, 1);
  std::set<std::string> queued;
  for (const v1::QueueEntry& entry : queue) EXPECT_TRUE(queued.insert(entry.case_id()).second) << entry.case_id();
  EXPECT_EQ(queued, submitted);

  // Both triage processes took part (consumer groups share the work), unless
  // one was faster for all sixty; each case was screened once.
  std::map<std::string, int> screened_by;
  for (const std::string& case_id : submitted) {
    v1::GetCaseRequest request;
    request.set_case_id(case_id);
    v1::Case c;
    ASSERT_TRUE(intake->GetCase(AsClinic(clinic).get(), request, &c).ok());
    EXPECT_EQ(c.status(), v1::CASE_STATUS_QUEUED) << case_id;
    int screenings = 0;
    int queueings = 0;
    for (const v1::StatusChange& change : c.history()) {
      screenings += change.to() == v1::CASE_STATUS_SCREENING;
      queueings += change.to() == v1::CASE_STATUS_QUEUED;
    }
    EXPECT_EQ(screenings, 1) << case_id;
    EXPECT_EQ(queueings, 1) << case_id;
  }

  // Six specialists claim at once, three through each referral process.
  absl::Mutex mutex;
  std::map<std::string, std::vector<std::string>> claimed_by;  // case id -> specialists
  std::vector<std::thread> specialists;
  for (int s = 0; s < kSpecialists; ++s) {
    specialists.emplace_back([&, s] {
      const std::string me = absl::StrCat("derm-", s);
      v1::ReferralService::Stub& stub = *referral[s % 2];
      for (int attempt = 0; attempt < 2 * kCases; ++attempt) {
        v1::ClaimNextResponse response;
        grpc::Status status = stub.ClaimNext(AsSpecialist(me).get(), v1::ClaimNextRequest(), &response);
        if (status.error_code() == grpc::StatusCode::NOT_FOUND) return;
        if (!status.ok()) continue;  // e.g. ABORTED under contention: try again
        absl::MutexLock lock(&mutex);
        claimed_by[response.case_().case_id()].push_back(me);
      }
    });
  }
  for (std::thread& t : specialists) t.join();

  std::set<std::string> claimed;
  for (const auto& [case_id, holders] : claimed_by) {
    EXPECT_EQ(holders.size(), 1u) << case_id << " claimed " << holders.size() << " times";
    claimed.insert(case_id);
  }
  EXPECT_EQ(claimed, submitted);
}

}  // namespace
}  // namespace telederm::testing
