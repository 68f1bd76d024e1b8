// The consultation end to end, as real processes (redis-server and the three
// service binaries) driven through the public gRPC API: a specialist asks the
// clinic a question, the clinic answers with a new image, triage screens the
// case again, the specialist claims it again and reports, the clinic
// acknowledges and the case is closed. Also: a clinic that was offline for
// days resumes its event stream where it left off.
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/case_store/keys.h"
#include "common/redis/client.h"
#include "tests/e2e/api.h"
#include "tests/e2e/event_watcher.h"
#include "tests/e2e/stack.h"

namespace telederm::testing {
namespace {

const std::string kCases = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/";
const std::string kMelanoma = kCases + "ISIC_0025248.jpg";  // URGENT: TDS highly suspicious, lesion model agrees
const std::string kNaevus = kCases + "ISIC_0024311.jpg";    // TDS in the benign range

class ConsultE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
    auto channel = [](const std::string& address) {
      return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    };
    intake_ = v1::IntakeService::NewStub(channel(stack_->address(Service::kIntake)));
    referral_ = v1::ReferralService::NewStub(channel(stack_->address(Service::kReferral)));
  }

  v1::Case Get(const std::string& clinic, const std::string& case_id) {
    v1::GetCaseRequest request;
    request.set_case_id(case_id);
    v1::Case c;
    grpc::Status status = intake_->GetCase(AsClinic(clinic).get(), request, &c);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return c;
  }

  bool WaitForStatus(const std::string& clinic, const std::string& case_id, v1::CaseStatus status) {
    return WaitUntil([&] { return Get(clinic, case_id).status() == status; }, absl::Seconds(30));
  }

  std::unique_ptr<Stack> stack_;
  std::unique_ptr<v1::IntakeService::Stub> intake_;
  std::unique_ptr<v1::ReferralService::Stub> referral_;
};

TEST_F(ConsultE2eTest, QuestionAnsweredWithNewImageIsRescreenedClaimedReportedAcknowledgedAndClosed) {
  const std::string clinic = "clinic-hill-3";
  EventWatcher watcher(*intake_, clinic);
  auto naevus = UploadImage(*intake_, clinic, ReadFileBytes(kNaevus), v1::MODALITY_DERMOSCOPY);
  ASSERT_TRUE(naevus.ok()) << naevus.status();
  v1::SubmitCaseRequest submit;
  *submit.mutable_submission() = QuietTumourSubmission("pt-41", *naevus);
  v1::SubmitCaseResponse submitted;
  ASSERT_TRUE(intake_->SubmitCase(AsClinic(clinic).get(), submit, &submitted).ok());
  const std::string case_id = submitted.case_id();
  ASSERT_TRUE(WaitForStatus(clinic, case_id, v1::CASE_STATUS_QUEUED)) << stack_->LogTail(Service::kReferral);
  const v1::Case queued = Get(clinic, case_id);

  // The specialist claims it and asks for a better image.
  v1::ClaimNextResponse claim;
  ASSERT_TRUE(referral_->ClaimNext(AsSpecialist("derm-1").get(), v1::ClaimNextRequest(), &claim).ok());
  ASSERT_EQ(claim.case_().case_id(), case_id);
  v1::RequestInfoRequest ask;
  ask.set_case_id(case_id);
  ask.set_fencing_token(claim.claim().fencing_token());
  ask.set_text("Please send a dermoscopy image of the darker part at the lower edge.");
  v1::RequestInfoResponse asked;
  grpc::Status status = referral_->RequestInfo(AsSpecialist("derm-1").get(), ask, &asked);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::optional<v1::CaseEvent> question;
  ASSERT_TRUE(WaitUntil(
      [&] { return (question = watcher.Find(case_id, v1::EVENT_TYPE_INFO_REQUESTED)).has_value(); },
      absl::Seconds(10)));
  EXPECT_EQ(question->status(), v1::CASE_STATUS_NEEDS_INFO);
  EXPECT_EQ(question->message().text(), ask.text());
  EXPECT_EQ(Get(clinic, case_id).status(), v1::CASE_STATUS_NEEDS_INFO);

  // The clinic reads the question and answers with a new image.
  v1::MarkReadRequest read;
  read.set_case_id(case_id);
  read.set_message_id(question->message().message_id());
  v1::MarkReadResponse marked;
  ASSERT_TRUE(intake_->MarkRead(AsClinic(clinic).get(), read, &marked).ok());
  auto melanoma = UploadImage(*intake_, clinic, ReadFileBytes(kMelanoma), v1::MODALITY_DERMOSCOPY);
  ASSERT_TRUE(melanoma.ok()) << melanoma.status();
  v1::ClinicMessageRequest answer;
  answer.set_case_id(case_id);
  answer.set_text("Here is the lower edge.");
  *answer.add_attachments() = *melanoma;
  v1::ClinicMessageResponse answered;
  status = intake_->SendMessage(AsClinic(clinic).get(), answer, &answered);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(answered.status(), v1::CASE_STATUS_SCREENING);
  EXPECT_TRUE(answered.message().info_answer());

  // Triage screens it again with both images; referral queues it in its pool.
  ASSERT_TRUE(WaitForStatus(clinic, case_id, v1::CASE_STATUS_QUEUED))
      << stack_->LogTail(Service::kTriage) << stack_->LogTail(Service::kReferral);
  const v1::Case requeued = Get(clinic, case_id);
  EXPECT_EQ(requeued.submission().images_size(), 2);
  EXPECT_EQ(requeued.earlier_triage_size(), 1);
  EXPECT_TRUE(requeued.triage().has_screened_at());
  EXPECT_EQ(requeued.pool(), queued.pool());
  EXPECT_EQ(requeued.urgency(), v1::URGENCY_URGENT);  // the melanoma image
  // Never later than before: the original due time plus the pause at most.
  EXPECT_LE(requeued.due_at().seconds(), queued.due_at().seconds() + requeued.paused().seconds() + 1);
  EXPECT_LT(requeued.due_at().seconds(), queued.due_at().seconds());

  // Claimed again, with the thread; reported.
  v1::ClaimNextResponse again;
  ASSERT_TRUE(referral_->ClaimNext(AsSpecialist("derm-2").get(), v1::ClaimNextRequest(), &again).ok());
  ASSERT_EQ(again.case_().case_id(), case_id);
  v1::ListMessagesRequest list;
  list.set_case_id(case_id);
  v1::ListMessagesResponse thread;
  ASSERT_TRUE(referral_->ListMessages(AsSpecialist("derm-2").get(), list, &thread).ok());
  ASSERT_EQ(thread.messages_size(), 2);
  EXPECT_TRUE(thread.messages(0).read());  // the clinic read the question
  EXPECT_EQ(thread.messages(1).attachments(0).sha256(), melanoma->sha256());
  v1::SubmitReportRequest report;
  report.set_case_id(case_id);
  report.set_fencing_token(again.claim().fencing_token());
  report.mutable_report()->set_diagnosis_text("Melanoma, superficial spreading type, suspected");
  report.mutable_report()->set_icd10_code("C43.6");
  report.mutable_report()->set_management(v1::MANAGEMENT_URGENT_IN_PERSON_REFERRAL);
  report.mutable_report()->set_management_interval(14);
  v1::SubmitReportResponse reported;
  status = referral_->SubmitReport(AsSpecialist("derm-2").get(), report, &reported);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::optional<v1::CaseEvent> report_event;
  ASSERT_TRUE(WaitUntil(
      [&] { return (report_event = watcher.Find(case_id, v1::EVENT_TYPE_REPORTED)).has_value(); },
      absl::Seconds(10)));
  EXPECT_EQ(report_event->report().icd10_code(), "C43.6");
  EXPECT_EQ(report_event->report().specialist_id(), "derm-2");

  // The clinic acknowledges: closed.
  v1::AcknowledgeReportRequest ack;
  ack.set_case_id(case_id);
  v1::AcknowledgeReportResponse acked;
  status = intake_->AcknowledgeReport(AsClinic(clinic).get(), ack, &acked);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(acked.case_().status(), v1::CASE_STATUS_CLOSED);
  ASSERT_TRUE(WaitUntil([&] { return watcher.Find(case_id, v1::EVENT_TYPE_CLOSED).has_value(); },
                        absl::Seconds(10)));
  const v1::Case closed = Get(clinic, case_id);
  std::vector<v1::CaseStatus> path;
  for (const v1::StatusChange& change : closed.history()) path.push_back(change.to());
  EXPECT_EQ(path, (std::vector<v1::CaseStatus>{v1::CASE_STATUS_RECEIVED, v1::CASE_STATUS_SCREENING,
                                              v1::CASE_STATUS_QUEUED, v1::CASE_STATUS_CLAIMED,
                                              v1::CASE_STATUS_NEEDS_INFO, v1::CASE_STATUS_SCREENING,
                                              v1::CASE_STATUS_QUEUED, v1::CASE_STATUS_CLAIMED,
                                              v1::CASE_STATUS_REPORTED, v1::CASE_STATUS_CLOSED}));
}

TEST_F(ConsultE2eTest, ClinicOfflineForDaysResumesAfterItsLastEventAndOnlyEventsPast30DaysAreTrimmed) {
  const std::string clinic = "clinic-island-7";
  redis::ClientOptions options;
  options.endpoint.port = stack_->redis().port();
  auto redis = redis::Client::Connect(options);
  ASSERT_TRUE(redis.ok()) << redis.status();
  // Events written long ago, with stream ids of their time: 150 from 40 days
  // ago (past the 30-day retention), then 5 from 10 days ago. The clinic last
  // saw the second of the 10-day-old ones, and has been offline since.
  const int64_t now_ms = absl::ToUnixMillis(absl::Now());
  const int64_t day_ms = 24LL * 3600 * 1000;
  std::vector<std::string> recent_ids;
  for (int i = 0; i < 155; ++i) {
    const bool recent = i >= 150;
    const std::string id = absl::StrCat(now_ms - (recent ? 10 : 40) * day_ms + i, "-0");
    v1::CaseEvent event;
    event.set_case_id(absl::StrCat("c-old-", i));
    event.set_clinic_id(clinic);
    event.set_type(v1::EVENT_TYPE_QUEUED);
    ASSERT_TRUE((*redis)
                    ->Command({"XADD", keys::ClinicEvents(clinic), id, "case_id", event.case_id(), "pb",
                               event.SerializeAsString()})
                    .ok());
    if (recent) recent_ids.push_back(id);
  }
  // Today the clinic submits a case: intake appends its event and trims by time.
  auto image = UploadImage(*intake_, clinic, ReadFileBytes(kNaevus), v1::MODALITY_DERMOSCOPY);
  ASSERT_TRUE(image.ok()) << image.status();
  v1::SubmitCaseRequest submit;
  *submit.mutable_submission() = QuietTumourSubmission("pt-1", *image);
  v1::SubmitCaseResponse submitted;
  ASSERT_TRUE(intake_->SubmitCase(AsClinic(clinic).get(), submit, &submitted).ok());

  auto first = (*redis)->Command({"XRANGE", keys::ClinicEvents(clinic), "-", "+", "COUNT", "1"});
  ASSERT_TRUE(first.ok());
  const std::string oldest_kept = first->elements.at(0).elements.at(0).str;
  // Redis trims whole stream nodes (~): the oldest events are gone; a node
  // that also holds younger events stays until all of it is past 30 days.
  EXPECT_GT(oldest_kept, absl::StrCat(now_ms - 40 * day_ms, "-0"));
  auto kept = (*redis)->Command({"XLEN", keys::ClinicEvents(clinic)});
  ASSERT_TRUE(kept.ok());
  EXPECT_LT(kept->integer, 156);

  EventWatcher watcher(*intake_, clinic, recent_ids[1]);
  ASSERT_TRUE(WaitUntil([&] { return watcher.Find(submitted.case_id(), v1::EVENT_TYPE_RECEIVED).has_value(); },
                        absl::Seconds(10)));
  std::vector<v1::CaseEvent> events = watcher.All();
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events[0].event_id(), recent_ids[2]);
  EXPECT_EQ(events[1].event_id(), recent_ids[3]);
  EXPECT_EQ(events[2].event_id(), recent_ids[4]);
  EXPECT_EQ(events[3].case_id(), submitted.case_id());
}

}  // namespace
}  // namespace telederm::testing
