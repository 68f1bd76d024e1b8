// The consultation pipeline end to end: real redis-server, the three real
// service binaries, and the public gRPC API as a clinic and a specialist use it.
#include <set>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "tests/e2e/api.h"
#include "tests/e2e/event_watcher.h"
#include "tests/e2e/stack.h"

namespace telederm::testing {
namespace {

const std::string kCases = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/";
const std::string kMelanoma = kCases + "ISIC_0025248.jpg";  // URGENT: TDS highly suspicious, lesion model agrees
const std::string kNaevus = kCases + "ISIC_0024311.jpg";    // TDS in the benign range

class PipelineTest : public ::testing::Test {
 protected:
  void StartStack(StackOptions options = {}) {
    auto stack = Stack::Start(options);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
    auto channel = [](const std::string& address) {
      return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    };
    intake_ = v1::IntakeService::NewStub(channel(stack_->address(Service::kIntake)));
    triage_ = v1::TriageService::NewStub(channel(stack_->address(Service::kTriage)));
    referral_ = v1::ReferralService::NewStub(channel(stack_->address(Service::kReferral)));
  }

  std::string Submit(const std::string& clinic, const v1::CaseSubmission& submission) {
    v1::SubmitCaseRequest request;
    *request.mutable_submission() = submission;
    v1::SubmitCaseResponse response;
    grpc::Status status = intake_->SubmitCase(AsClinic(clinic).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.case_id();
  }

  std::vector<v1::QueueEntry> Queue() {
    v1::ListQueueRequest request;
    request.set_page_size(500);
    v1::ListQueueResponse response;
    grpc::Status status = referral_->ListQueue(AsSpecialist("derm-1").get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.entries().begin(), response.entries().end()};
  }

  v1::CaseStatus StatusOf(const std::string& clinic, const std::string& case_id) {
    v1::GetCaseRequest request;
    request.set_case_id(case_id);
    v1::Case c;
    grpc::Status status = intake_->GetCase(AsClinic(clinic).get(), request, &c);
    return status.ok() ? c.status() : v1::CASE_STATUS_UNSPECIFIED;
  }

  std::unique_ptr<Stack> stack_;
  std::unique_ptr<v1::IntakeService::Stub> intake_;
  std::unique_ptr<v1::TriageService::Stub> triage_;
  std::unique_ptr<v1::ReferralService::Stub> referral_;
};

TEST_F(PipelineTest, HighRiskCaseSubmittedSecondIsClaimedFirstAndItsReportReachesTheClinic) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  const std::string clinic = "clinic-village-1";
  EventWatcher watcher(*intake_, clinic);

  auto naevus = UploadImage(*intake_, clinic, ReadFileBytes(kNaevus), v1::MODALITY_DERMOSCOPY);
  ASSERT_TRUE(naevus.ok()) << naevus.status();
  auto melanoma = UploadImage(*intake_, clinic, ReadFileBytes(kMelanoma), v1::MODALITY_DERMOSCOPY);
  ASSERT_TRUE(melanoma.ok()) << melanoma.status();
  // The routine case first, then the dangerous one, with equally quiet forms.
  std::string routine = Submit(clinic, QuietTumourSubmission("pt-routine", *naevus));
  std::string high_risk = Submit(clinic, QuietTumourSubmission("pt-high-risk", *melanoma));

  ASSERT_TRUE(WaitUntil([&] { return Queue().size() == 2; }, absl::Seconds(30)))
      << stack_->LogTail(Service::kTriage) << stack_->LogTail(Service::kReferral);
  std::vector<v1::QueueEntry> queue = Queue();
  EXPECT_EQ(queue[0].case_id(), high_risk);
  EXPECT_EQ(queue[0].urgency(), v1::URGENCY_URGENT);
  EXPECT_EQ(queue[1].case_id(), routine);
  EXPECT_EQ(queue[1].urgency(), v1::URGENCY_ROUTINE);

  // Urgent because of its image: the form says nothing worrying.
  v1::GetTriageResultRequest triage_request;
  triage_request.set_case_id(high_risk);
  v1::TriageResult triage;
  ASSERT_TRUE(triage_->GetTriageResult(AsSpecialist("derm-1").get(), triage_request, &triage).ok());
  EXPECT_TRUE(triage.screened());
  bool image_reason = false;
  for (const auto& item : triage.explanation()) {
    EXPECT_NE(item.source(), "clinical") << item.text();
    image_reason |= item.source() == "image:" + melanoma->sha256() && absl::StrContains(item.text(), "TDS");
  }
  EXPECT_TRUE(image_reason);

  v1::ClaimNextResponse claim;
  ASSERT_TRUE(referral_->ClaimNext(AsSpecialist("derm-1").get(), v1::ClaimNextRequest(), &claim).ok());
  EXPECT_EQ(claim.case_().case_id(), high_risk);

  v1::SubmitReportRequest report;
  report.set_case_id(high_risk);
  report.set_fencing_token(claim.claim().fencing_token());
  report.mutable_report()->set_diagnosis_text("Dermoscopy suggests superficial spreading melanoma");
  report.mutable_report()->set_icd10_code("C43.6");
  report.mutable_report()->set_management(v1::MANAGEMENT_URGENT_IN_PERSON_REFERRAL);
  report.mutable_report()->set_management_interval(14);
  v1::SubmitReportResponse reported;
  grpc::Status status = referral_->SubmitReport(AsSpecialist("derm-1").get(), report, &reported);
  ASSERT_TRUE(status.ok()) << status.error_message();

  std::optional<v1::CaseEvent> event;
  ASSERT_TRUE(WaitUntil([&] { return (event = watcher.Find(high_risk, v1::EVENT_TYPE_REPORTED)).has_value(); },
                        absl::Seconds(10)));
  EXPECT_EQ(event->report().icd10_code(), "C43.6");
  EXPECT_EQ(event->report().specialist_id(), "derm-1");
  EXPECT_EQ(StatusOf(clinic, high_risk), v1::CASE_STATUS_REPORTED);
}

TEST_F(PipelineTest, KillingTriageAndReferralMidwayLosesNoCase) {
  StackOptions options;
  options.triage_flags = {"--reclaim_idle=1s"};
  options.referral_flags = {"--reclaim_idle=1s"};
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  const std::string clinic = "clinic-village-2";
  auto image = UploadImage(*intake_, clinic, ReadFileBytes(kNaevus), v1::MODALITY_DERMOSCOPY);
  ASSERT_TRUE(image.ok()) << image.status();

  std::vector<std::string> ids;
  auto submit_batch = [&](int n) {
    for (int i = 0; i < n; ++i) {
      ids.push_back(Submit(clinic, QuietTumourSubmission(absl::StrCat("pt-", ids.size()), *image)));
    }
  };
  submit_batch(4);
  ASSERT_TRUE(stack_->Kill9(Service::kTriage).ok());
  submit_batch(4);  // these wait in stream:intake with no triage running
  ASSERT_TRUE(stack_->Restart(Service::kTriage).ok());
  submit_batch(2);
  ASSERT_TRUE(stack_->Kill9(Service::kReferral).ok());
  submit_batch(4);  // screened, but waiting in stream:triaged
  ASSERT_TRUE(stack_->Kill9(Service::kTriage).ok());
  ASSERT_TRUE(stack_->Restart(Service::kTriage).ok());
  ASSERT_TRUE(stack_->Restart(Service::kReferral).ok());
  submit_batch(2);

  ASSERT_TRUE(WaitUntil(
      [&] {
        for (const std::string& id : ids) {
          if (StatusOf(clinic, id) != v1::CASE_STATUS_QUEUED) return false;
        }
        return true;
      },
      absl::Seconds(60)))
      << stack_->LogTail(Service::kTriage) << stack_->LogTail(Service::kReferral);
  std::vector<v1::QueueEntry> queue = Queue();
  std::multiset<std::string> queued;
  for (const auto& entry : queue) queued.insert(entry.case_id());
  EXPECT_EQ(queued.size(), ids.size());
  for (const std::string& id : ids) EXPECT_EQ(queued.count(id), 1u) << id;
}

}  // namespace
}  // namespace telederm::testing
