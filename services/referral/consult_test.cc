// The consultation around the queue against a real redis-server and a real
// gRPC client, with a simulated clock: routing by stored pools, fairness
// between clinics, due times and escalation, the paused clock of needs_info
// and the clinic's answer, second opinions, reassignment, drafts, read
// receipts, reports against the ICD-10 table, biopsy outcomes, WatchQueue.
#include <filesystem>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/blob/blob_store.h"
#include "common/caller/caller.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/case_store.h"
#include "common/case_store/event_log.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"
#include "common/redis/stream.h"
#include "common/server/grpc_server.h"
#include "common/stream_worker/stream_worker.h"
#include "services/intake/clinic_consult.h"
#include "services/intake/clinic_images.h"
#include "services/referral/escalation.h"
#include "services/referral/referral_service.h"
#include "services/referral/triaged_stream_handler.h"
#include "tests/harness/redis_test.h"
#include "tests/harness/temp_dir.h"

namespace telederm::referral {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()) / 60 * 60);

grpc::ClientContext* Prepare(grpc::ClientContext& context, const char* header, const std::string& id,
                             const std::string& pools = "") {
  context.AddMetadata(header, id);
  if (!pools.empty()) context.AddMetadata(kPoolsHeader, pools);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return &context;
}

class ConsultTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    clock_ = std::make_shared<SimulatedClock>(kT0);
    codes_ = *Icd10Table::Load(DefaultIcd10TablePath());
    parts_ = MakeReferralParts(redis_, clock_, options_, codes_);
    service_ = std::make_unique<ReferralServiceImpl>(parts_);
    admin_ = std::make_unique<AdminServiceImpl>(parts_.directory, parts_.screening, parts_.redis);
    auto server = GrpcServer::Start("127.0.0.1:0", {service_.get(), admin_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto channel =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials());
    referral_ = v1::ReferralService::NewStub(channel);
    admin_stub_ = v1::AdminService::NewStub(channel);
    auto handler = std::make_shared<TriagedStreamHandler>(redis_, clock_, options_);
    worker_ = std::make_unique<StreamWorker>(
        std::make_unique<redis::StreamConsumer>(redis_, keys::kTriagedStream, keys::kReferralGroup, "consult-test"),
        [handler](const redis::StreamEntry& entry) { return handler->Handle(entry); }, StreamWorkerOptions());
    ASSERT_TRUE(worker_->Recover().ok());
    blob_dir_ = *testing::MakeTempDir("consult-test");
    blobs_ = *OpenDirectoryBlobStore(blob_dir_);
    clinic_ = std::make_unique<intake::ClinicConsult>(redis_, blobs_, clock_);
  }

  void TearDown() override {
    server_->Shutdown(absl::Seconds(1));
    std::filesystem::remove_all(blob_dir_);
  }

  // A case as triage leaves it: SCREENING with a result, and an entry on stream:triaged.
  std::string AddTriagedCase(v1::Urgency tier, absl::Time received, const std::string& clinic = "clinic-a",
                             int age = 45) {
    v1::Case c;
    c.set_case_id(NewCaseId(received));
    c.set_clinic_id(clinic);
    c.set_status(v1::CASE_STATUS_SCREENING);
    *c.mutable_received_at() = ToProtoTimestamp(received);
    c.mutable_submission()->set_type(v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
    c.mutable_submission()->mutable_patient()->set_age_years(age);
    c.mutable_triage()->set_tier(tier);
    c.mutable_triage()->set_screened(true);
    *c.mutable_triage()->mutable_screened_at() = ToProtoTimestamp(received);
    EXPECT_TRUE(CaseStore(redis_).Create(c).ok());
    EXPECT_TRUE(redis::StreamAppend(*redis_, keys::kTriagedStream, {{"case_id", c.case_id()}}).ok());
    return c.case_id();
  }

  void Drain() {
    while (true) {
      absl::StatusOr<int> handled = worker_->PollOnce(absl::ZeroDuration());
      ASSERT_TRUE(handled.ok()) << handled.status();
      if (*handled == 0) return;
    }
  }

  v1::Case Record(const std::string& case_id) { return **CaseStore(redis_).Get(case_id); }

  void PutPool(const std::string& name, v1::Specialty specialty, const std::string& region = "") {
    grpc::ClientContext context;
    v1::PutPoolRequest request;
    request.mutable_pool()->set_name(name);
    request.mutable_pool()->set_specialty(specialty);
    if (!region.empty()) request.mutable_pool()->add_regions(region);
    v1::PoolProfile response;
    grpc::Status status = admin_stub_->PutPool(Prepare(context, kAdminIdHeader, "admin-1"), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  void PutSpecialist(const std::string& id, std::vector<std::string> pools, std::vector<std::string> supervises = {}) {
    grpc::ClientContext context;
    v1::PutSpecialistRequest request;
    request.mutable_profile()->set_specialist_id(id);
    for (const auto& p : pools) request.mutable_profile()->add_pools(p);
    for (const auto& p : supervises) request.mutable_profile()->add_supervises(p);
    v1::SpecialistProfile response;
    grpc::Status status = admin_stub_->PutSpecialist(Prepare(context, kAdminIdHeader, "admin-1"), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  grpc::Status Claim(const std::string& specialist, v1::ClaimNextResponse* response, const std::string& pools = "") {
    grpc::ClientContext context;
    return referral_->ClaimNext(Prepare(context, kSpecialistIdHeader, specialist, pools), v1::ClaimNextRequest(),
                                response);
  }

  std::string ClaimId(const std::string& specialist) {
    v1::ClaimNextResponse response;
    grpc::Status status = Claim(specialist, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.case_().case_id();
  }

  template <typename Request, typename Response>
  grpc::Status Call(grpc::Status (v1::ReferralService::Stub::*method)(grpc::ClientContext*, const Request&,
                                                                      Response*),
                    const std::string& specialist, const Request& request, Response* response) {
    grpc::ClientContext context;
    return (referral_.get()->*method)(Prepare(context, kSpecialistIdHeader, specialist), request, response);
  }

  v1::ListQueueResponse List(const std::string& specialist, v1::ListQueueRequest request = {}) {
    v1::ListQueueResponse response;
    grpc::Status status = Call(&v1::ReferralService::Stub::ListQueue, specialist, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  v1::RequestInfoResponse Ask(const std::string& specialist, const v1::ClaimNextResponse& claim,
                              const std::string& text) {
    v1::RequestInfoRequest request;
    request.set_case_id(claim.case_().case_id());
    request.set_fencing_token(claim.claim().fencing_token());
    request.set_text(text);
    v1::RequestInfoResponse response;
    grpc::Status status = Call(&v1::ReferralService::Stub::RequestInfo, specialist, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  std::vector<v1::QueueEvent> PoolEvents(const std::string& pool) {
    auto events = parts_.queue_events->ReadAfter(pool, "0-0", 1000, absl::ZeroDuration());
    EXPECT_TRUE(events.ok()) << events.status();
    return events.ok() ? *events : std::vector<v1::QueueEvent>();
  }

  // As clinic-a's UploadImage stores it: the bytes, and that they are clinic-a's.
  v1::ImageRef StoreImage(const std::string& bytes) {
    auto writer = *blobs_->NewWriter();
    EXPECT_TRUE(writer->Append(bytes).ok());
    EXPECT_TRUE(writer->Commit(Sha256Hex(bytes)).ok());
    EXPECT_TRUE(intake::ClinicImages(redis_, clock_).Record("clinic-a", Sha256Hex(bytes)).ok());
    v1::ImageRef image;
    image.set_sha256(Sha256Hex(bytes));
    image.set_modality(v1::MODALITY_DERMOSCOPY);
    image.set_content_type("image/jpeg");
    return image;
  }

  ReferralOptions options_;
  std::shared_ptr<SimulatedClock> clock_;
  Icd10TablePtr codes_;
  ReferralParts parts_;
  std::unique_ptr<ReferralServiceImpl> service_;
  std::unique_ptr<AdminServiceImpl> admin_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::ReferralService::Stub> referral_;
  std::unique_ptr<v1::AdminService::Stub> admin_stub_;
  std::unique_ptr<StreamWorker> worker_;
  std::string blob_dir_;
  BlobStorePtr blobs_;
  std::unique_ptr<intake::ClinicConsult> clinic_;
};

TEST_F(ConsultTest, CaseIsRoutedByStoredPoolsAndTheClinicsRegion) {
  PutPool("general", v1::SPECIALTY_GENERAL_DERMATOLOGY);
  PutPool("onco-north", v1::SPECIALTY_DERMATO_ONCOLOGY, "north");
  grpc::ClientContext context;
  v1::PutClinicRequest clinic;
  clinic.mutable_clinic()->set_clinic_id("clinic-north");
  clinic.mutable_clinic()->set_region("north");
  v1::ClinicProfile stored;
  ASSERT_TRUE(admin_stub_->PutClinic(Prepare(context, kAdminIdHeader, "admin-1"), clinic, &stored).ok());
  const std::string urgent = AddTriagedCase(v1::URGENCY_URGENT, kT0, "clinic-north");
  const std::string routine = AddTriagedCase(v1::URGENCY_ROUTINE, kT0, "clinic-north");
  const std::string elsewhere = AddTriagedCase(v1::URGENCY_URGENT, kT0, "clinic-south");
  Drain();
  EXPECT_EQ(Record(urgent).pool(), "onco-north");
  EXPECT_EQ(Record(routine).pool(), "general");
  EXPECT_EQ(Record(elsewhere).pool(), "general");  // no oncology pool serves the south: general, not lost
}

TEST_F(ConsultTest, StoredProfileDecidesTheSpecialistsPoolsNotTheHeader) {
  PutSpecialist("derm-onco", {"onco"});
  AddTriagedCase(v1::URGENCY_URGENT, kT0);  // default pool "general"
  Drain();
  v1::ClaimNextResponse claimed;
  EXPECT_EQ(Claim("derm-onco", &claimed, "general").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Claim("derm-dev", &claimed, "general").ok());  // no profile: the header's pools
}

TEST_F(ConsultTest, OneClinicsBurstDoesNotStarveAnotherClinicOfTheSameTier) {
  std::vector<std::string> a, b;
  for (int i = 0; i < 6; ++i) a.push_back(AddTriagedCase(v1::URGENCY_SOON, kT0 + absl::Minutes(i), "clinic-a"));
  for (int i = 0; i < 2; ++i) b.push_back(AddTriagedCase(v1::URGENCY_SOON, kT0 + absl::Minutes(6 + i), "clinic-b"));
  // An urgent case received later is still taken before every SOON case.
  const std::string urgent = AddTriagedCase(v1::URGENCY_URGENT, kT0 + absl::Hours(2), "clinic-a");
  Drain();
  std::vector<std::string> order;
  for (int i = 0; i < 9; ++i) order.push_back(ClaimId("derm-1"));
  // The urgent case was clinic-a's turn, so clinic-b's first SOON case (due
  // 6 min after clinic-a's first) goes next; then the clinics alternate while
  // both have cases within the window.
  EXPECT_EQ(order, (std::vector<std::string>{urgent, b[0], a[0], b[1], a[1], a[2], a[3], a[4], a[5]}));
}

TEST_F(ConsultTest, FairnessNeverReachesBeyondTheWindow) {
  const std::string first = AddTriagedCase(v1::URGENCY_SOON, kT0, "clinic-a");
  const std::string second = AddTriagedCase(v1::URGENCY_SOON, kT0 + absl::Minutes(1), "clinic-a");
  const std::string late = AddTriagedCase(v1::URGENCY_SOON, kT0 + absl::Minutes(45), "clinic-b");
  Drain();
  EXPECT_EQ(ClaimId("derm-1"), first);
  EXPECT_EQ(ClaimId("derm-1"), second);  // clinic-b's case is due 44 min later: outside the 30 min window
  EXPECT_EQ(ClaimId("derm-1"), late);
}

TEST_F(ConsultTest, OverdueCaseIsEscalatedOnceToThePoolsSupervisorsAndListedAsOverdue) {
  PutSpecialist("sup-1", {"general"}, {"general"});
  PutSpecialist("derm-1", {"general"});
  const std::string case_id = AddTriagedCase(v1::URGENCY_SOON, kT0);
  Drain();
  EXPECT_EQ(FromProtoTimestamp(Record(case_id).due_at()), kT0 + absl::Hours(72));
  Escalator escalator(redis_, clock_), other_process(redis_, clock_);
  clock_->Set(kT0 + absl::Hours(72) - absl::Seconds(1));
  EXPECT_EQ(*escalator.CheckOnce(), 0);
  v1::ListQueueRequest overdue;
  overdue.set_overdue_only(true);
  EXPECT_EQ(List("derm-1", overdue).entries_size(), 0);

  clock_->Set(kT0 + absl::Hours(72) + absl::Seconds(1));
  EXPECT_EQ(*escalator.CheckOnce(), 1);
  EXPECT_EQ(*other_process.CheckOnce(), 0);
  EXPECT_EQ(*escalator.CheckOnce(), 0);
  v1::ListQueueResponse listed = List("derm-1", overdue);
  ASSERT_EQ(listed.entries_size(), 1);
  EXPECT_TRUE(listed.entries(0).overdue());
  int escalations = 0;
  for (const v1::QueueEvent& event : PoolEvents("general")) {
    if (event.type() != v1::QUEUE_EVENT_TYPE_ESCALATED) continue;
    ++escalations;
    EXPECT_EQ(event.case_id(), case_id);
    ASSERT_EQ(event.supervisors_size(), 1);
    EXPECT_EQ(event.supervisors(0), "sup-1");
  }
  EXPECT_EQ(escalations, 1);
}

TEST_F(ConsultTest, NeedsInfoPausesTheClockAndTheTextAnswerRequeuesAtDuePlusThePause) {
  const std::string case_id = AddTriagedCase(v1::URGENCY_URGENT, kT0);  // due kT0 + 24 h
  Drain();
  clock_->Set(kT0 + absl::Hours(1));
  v1::ClaimNextResponse claimed;
  ASSERT_TRUE(Claim("derm-1", &claimed).ok());
  v1::RequestInfoResponse asked = Ask("derm-1", claimed, "Is the lesion raised? Any bleeding?");
  EXPECT_EQ(asked.case_().status(), v1::CASE_STATUS_NEEDS_INFO);
  EXPECT_TRUE(asked.message().info_request());

  // The clinic answers 30 h later, past the original due time: nothing escalates meanwhile.
  clock_->Set(kT0 + absl::Hours(31));
  Escalator escalator(redis_, clock_);
  EXPECT_EQ(*escalator.CheckOnce(), 0);
  EXPECT_EQ(List("derm-1").entries_size(), 0);
  v1::ClinicMessageRequest answer;
  answer.set_case_id(case_id);
  answer.set_text("Raised, bled once last week.");
  absl::StatusOr<v1::ClinicMessageResponse> answered = clinic_->SendMessage("clinic-a", answer);
  ASSERT_TRUE(answered.ok()) << answered.status();
  EXPECT_EQ(answered->status(), v1::CASE_STATUS_QUEUED);
  EXPECT_TRUE(answered->message().info_answer());
  Drain();

  v1::Case c = Record(case_id);
  EXPECT_EQ(FromProtoTimestamp(c.due_at()), kT0 + absl::Hours(24 + 30));
  EXPECT_EQ(c.paused().seconds(), 30 * 3600);
  EXPECT_FALSE(c.has_info_requested_at());
  v1::ListQueueResponse listed = List("derm-1");
  ASSERT_EQ(listed.entries_size(), 1);
  EXPECT_FALSE(listed.entries(0).overdue());
  EXPECT_EQ(*escalator.CheckOnce(), 0);
  clock_->Set(kT0 + absl::Hours(54) + absl::Seconds(1));
  EXPECT_EQ(*escalator.CheckOnce(), 1);
}

// Intake only records the answer; referral alone restarts the clock and
// re-queues, once, however often the hand-over is delivered.
TEST_F(ConsultTest, TextAnswerIsPlacedByReferralOnceEvenWhenHandedOverTwice) {
  const std::string case_id = AddTriagedCase(v1::URGENCY_URGENT, kT0);  // due kT0 + 24 h
  Drain();
  v1::ClaimNextResponse claimed;
  ASSERT_TRUE(Claim("derm-1", &claimed).ok());
  Ask("derm-1", claimed, "How long has it been there?");
  clock_->Set(kT0 + absl::Hours(10));
  v1::ClinicMessageRequest answer;
  answer.set_case_id(case_id);
  answer.set_text("Two months.");
  ASSERT_TRUE(clinic_->SendMessage("clinic-a", answer).ok());
  v1::Case recorded = Record(case_id);
  EXPECT_EQ(recorded.status(), v1::CASE_STATUS_QUEUED);
  EXPECT_EQ(FromProtoTimestamp(recorded.due_at()), kT0 + absl::Hours(24));  // not intake's to move
  EXPECT_TRUE(recorded.has_info_requested_at());

  ASSERT_TRUE(redis::StreamAppend(*redis_, keys::kTriagedStream, {{"case_id", case_id}}).ok());  // delivered twice
  clock_->Set(kT0 + absl::Hours(11));
  Drain();
  v1::Case placed = Record(case_id);
  EXPECT_EQ(FromProtoTimestamp(placed.due_at()), kT0 + absl::Hours(24 + 10));  // the pause, once
  EXPECT_EQ(placed.paused().seconds(), 10 * 3600);
  EXPECT_FALSE(placed.has_info_requested_at());
  EXPECT_EQ(ClaimId("derm-1"), case_id);
  absl::StatusOr<std::vector<v1::CaseEvent>> events = EventLog(redis_).ReadAfter("clinic-a", "", 100, absl::ZeroDuration());
  ASSERT_TRUE(events.ok()) << events.status();
  int queued_after_answer = 0;
  for (const v1::CaseEvent& event : *events) {
    queued_after_answer += event.type() == v1::EVENT_TYPE_QUEUED && FromProtoTimestamp(event.at()) >= kT0 + absl::Hours(10);
  }
  EXPECT_GE(queued_after_answer, 1);  // at least once: a redelivery may repeat it
}

TEST_F(ConsultTest, AnswerWithANewImageGoesToTriageAndComesBackInItsPoolNoLaterThanBefore) {
  const std::string case_id = AddTriagedCase(v1::URGENCY_ROUTINE, kT0);  // due kT0 + 168 h
  Drain();
  v1::ClaimNextResponse claimed;
  ASSERT_TRUE(Claim("derm-1", &claimed).ok());
  Ask("derm-1", claimed, "Please send a dermoscopy image.");
  clock_->Set(kT0 + absl::Hours(5));
  v1::ClinicMessageRequest answer;
  answer.set_case_id(case_id);
  *answer.add_attachments() = StoreImage("dermoscopy pixels");
  absl::StatusOr<v1::ClinicMessageResponse> answered = clinic_->SendMessage("clinic-a", answer);
  ASSERT_TRUE(answered.ok()) << answered.status();
  EXPECT_EQ(answered->status(), v1::CASE_STATUS_SCREENING);
  v1::Case c = Record(case_id);
  EXPECT_EQ(c.submission().images_size(), 1);
  EXPECT_FALSE(c.has_triage());
  EXPECT_EQ(c.earlier_triage_size(), 1);
  auto intake_entries = redis_->Command({"XLEN", keys::kIntakeStream});
  EXPECT_EQ(intake_entries->integer, 1);

  // Triage screens it again: the new image looks malignant.
  ASSERT_TRUE(CaseStore(redis_)
                  .Update(case_id,
                          [&](v1::Case& record) -> absl::StatusOr<bool> {
                            record.mutable_triage()->set_tier(v1::URGENCY_URGENT);
                            record.mutable_triage()->set_screened(true);
                            *record.mutable_triage()->mutable_screened_at() = ToProtoTimestamp(clock_->Now());
                            return true;
                          })
                  .ok());
  ASSERT_TRUE(redis::StreamAppend(*redis_, keys::kTriagedStream, {{"case_id", case_id}}).ok());
  Drain();
  c = Record(case_id);
  EXPECT_EQ(c.status(), v1::CASE_STATUS_QUEUED);
  EXPECT_EQ(c.pool(), "general");
  EXPECT_EQ(c.urgency(), v1::URGENCY_URGENT);
  EXPECT_EQ(FromProtoTimestamp(c.due_at()), kT0 + absl::Hours(24 + 5));
  EXPECT_EQ(ClaimId("derm-1"), case_id);
}

TEST_F(ConsultTest, ThreadCarriesBothSidesWithReadReceipts) {
  const std::string case_id = AddTriagedCase(v1::URGENCY_SOON, kT0);
  Drain();
  v1::ClaimNextResponse claimed;
  ASSERT_TRUE(Claim("derm-1", &claimed).ok());
  v1::SpecialistMessageRequest note;
  note.set_case_id(case_id);
  note.set_fencing_token(claimed.claim().fencing_token());
  note.set_text("Looking at it now.");
  v1::SpecialistMessageResponse sent;
  ASSERT_TRUE(Call(&v1::ReferralService::Stub::SendMessage, "derm-1", note, &sent).ok());
  v1::ClinicMessageRequest reply;
  reply.set_case_id(case_id);
  reply.set_text("Thank you.");
  ASSERT_TRUE(clinic_->SendMessage("clinic-a", reply).ok());

  v1::ListMessagesRequest list;
  list.set_case_id(case_id);
  auto before = clinic_->ListMessages("clinic-a", list);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->messages_size(), 2);
  EXPECT_FALSE(before->messages(0).read());
  v1::MarkReadRequest read;
  read.set_case_id(case_id);
  read.set_message_id(sent.message().message_id());
  clock_->Advance(absl::Minutes(5));
  ASSERT_TRUE(clinic_->MarkRead("clinic-a", read).ok());
  v1::ListMessagesResponse after;
  ASSERT_TRUE(Call(&v1::ReferralService::Stub::ListMessages, "derm-1", list, &after).ok());
  EXPECT_TRUE(after.messages(0).read());
  EXPECT_EQ(FromProtoTimestamp(after.messages(0).read_at()), kT0 + absl::Minutes(5));
  EXPECT_FALSE(after.messages(1).read());  // the clinic's reply: derm-1 has not marked it
  EXPECT_EQ(clinic_->ListMessages("clinic-b", list).status().code(), absl::StatusCode::kNotFound);
  v1::ListMessagesResponse denied;
  EXPECT_EQ(Call(&v1::ReferralService::Stub::ListMessages, "derm-other", list, &denied).error_code(),
            grpc::StatusCode::OK);  // no profile: header pools default to general, where the case is
}

// A specialist learns nothing of a case outside their pools: not that it
// exists, not its pool, not its state. The thread calls, Reassign and
// RecordBiopsyOutcome answer exactly as for a missing id.
TEST_F(ConsultTest, AnotherPoolsCaseIsAnsweredLikeAMissingOne) {
  PutSpecialist("derm-onco", {"onco"});
  const std::string case_id = AddTriagedCase(v1::URGENCY_SOON, kT0);
  Drain();
  ASSERT_EQ(Record(case_id).pool(), "general");
  const std::string missing = NewCaseId(kT0 + absl::Minutes(1));
  for (const std::string& id : {case_id, missing}) {
    auto expect_missing = [&id](const grpc::Status& status) {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << id;
      EXPECT_EQ(status.error_message(), absl::StrCat("no case ", id));
    };
    v1::ListMessagesRequest list;
    list.set_case_id(id);
    v1::ListMessagesResponse listed;
    expect_missing(Call(&v1::ReferralService::Stub::ListMessages, "derm-onco", list, &listed));
    v1::MarkReadRequest read;
    read.set_case_id(id);
    read.set_message_id("1-0");
    v1::MarkReadResponse marked;
    expect_missing(Call(&v1::ReferralService::Stub::MarkRead, "derm-onco", read, &marked));
    v1::ReassignRequest move;
    move.set_case_id(id);
    move.set_pool("onco");
    v1::ReassignResponse moved;
    expect_missing(Call(&v1::ReferralService::Stub::Reassign, "derm-onco", move, &moved));
    v1::RecordBiopsyOutcomeRequest biopsy;
    biopsy.set_case_id(id);
    biopsy.mutable_outcome()->set_histology_text("Compound naevus");
    biopsy.mutable_outcome()->set_icd10_code("D22.5");
    v1::RecordBiopsyOutcomeResponse recorded;
    expect_missing(Call(&v1::ReferralService::Stub::RecordBiopsyOutcome, "derm-onco", biopsy, &recorded));
  }
}

TEST_F(ConsultTest, SecondOpinionGoesToTheNamedColleagueWithHistoryAndDraft) {
  PutSpecialist("derm-1", {"general"});
  PutSpecialist("derm-2", {"onco"});
  const std::string case_id = AddTriagedCase(v1::URGENCY_SOON, kT0);
  Drain();
  v1::ClaimNextResponse claimed;
  ASSERT_TRUE(Claim("derm-1", &claimed).ok());
  v1::SaveDraftRequest draft;
  draft.set_case_id(case_id);
  draft.set_fencing_token(claimed.claim().fencing_token());
  draft.mutable_draft()->set_diagnosis_text("Atypical naevus vs early melanoma");
  v1::SaveDraftResponse saved;
  ASSERT_TRUE(Call(&v1::ReferralService::Stub::SaveDraft, "derm-1", draft, &saved).ok());
  v1::SecondOpinionRequest ask;
  ask.set_case_id(case_id);
  ask.set_fencing_token(claimed.claim().fencing_token());
  ask.set_specialist_id("derm-2");
  ask.set_note("Would you excise?");
  v1::SecondOpinionResponse asked;
  grpc::Status status = Call(&v1::ReferralService::Stub::RequestSecondOpinion, "derm-1", ask, &asked);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(asked.case_().pool(), "direct:derm-2");

  v1::ClaimNextResponse mine;
  EXPECT_EQ(Claim("derm-1", &mine).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::ClaimNextResponse theirs;
  ASSERT_TRUE(Claim("derm-2", &theirs).ok());
  EXPECT_EQ(theirs.case_().case_id(), case_id);
  EXPECT_EQ(theirs.case_().draft().diagnosis_text(), "Atypical naevus vs early melanoma");
  ASSERT_EQ(theirs.case_().second_opinions_size(), 1);
  EXPECT_EQ(theirs.case_().second_opinions(0).note(), "Would you excise?");
  EXPECT_EQ(FromProtoTimestamp(theirs.case_().due_at()), kT0 + absl::Hours(72));
  // derm-1's token is dead.
  v1::SubmitReportRequest stale;
  stale.set_case_id(case_id);
  stale.set_fencing_token(claimed.claim().fencing_token());
  stale.mutable_report()->set_diagnosis_text("x");
  stale.mutable_report()->set_icd10_code("D22.5");
  stale.mutable_report()->set_management(v1::MANAGEMENT_REASSURE);
  v1::SubmitReportResponse refused;
  EXPECT_EQ(Call(&v1::ReferralService::Stub::SubmitReport, "derm-1", stale, &refused).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(ConsultTest, SupervisorReassignsAClaimedCaseAndTheFormerHolderIsFencedOut) {
  PutSpecialist("sup-1", {"general"}, {"general"});
  PutSpecialist("derm-1", {"general"});
  const std::string case_id = AddTriagedCase(v1::URGENCY_SOON, kT0);
  Drain();
  v1::ClaimNextResponse claimed;
  ASSERT_TRUE(Claim("derm-1", &claimed).ok());
  v1::ReassignRequest move;
  move.set_case_id(case_id);
  move.set_pool("onco");
  v1::ReassignResponse moved;
  EXPECT_EQ(Call(&v1::ReferralService::Stub::Reassign, "derm-1", move, &moved).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status status = Call(&v1::ReferralService::Stub::Reassign, "sup-1", move, &moved);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(moved.case_().status(), v1::CASE_STATUS_QUEUED);
  EXPECT_EQ(moved.case_().pool(), "onco");
  v1::ExtendClaimRequest extend;
  extend.set_case_id(case_id);
  extend.set_fencing_token(claimed.claim().fencing_token());
  v1::ExtendClaimResponse extended;
  EXPECT_EQ(Call(&v1::ReferralService::Stub::ExtendClaim, "derm-1", extend, &extended).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::ClaimNextResponse onco;
  ASSERT_TRUE(Claim("derm-onco", &onco, "onco").ok());
  EXPECT_EQ(onco.case_().case_id(), case_id);
}

TEST_F(ConsultTest, ReportCodeMustBeInTheTableAndTheBiopsyOutcomeFollowsLater) {
  const std::string case_id = AddTriagedCase(v1::URGENCY_URGENT, kT0);
  Drain();
  v1::ClaimNextResponse claimed;
  ASSERT_TRUE(Claim("derm-1", &claimed).ok());
  v1::SubmitReportRequest report;
  report.set_case_id(case_id);
  report.set_fencing_token(claimed.claim().fencing_token());
  report.mutable_report()->set_diagnosis_text("Suspected melanoma");
  report.mutable_report()->set_icd10_code("C43.Z");
  report.mutable_report()->set_management(v1::MANAGEMENT_BIOPSY);
  v1::SubmitReportResponse reported;
  grpc::Status refused = Call(&v1::ReferralService::Stub::SubmitReport, "derm-1", report, &reported);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("report.icd10_code"), std::string::npos);
  report.mutable_report()->set_icd10_code("C43.5");
  ASSERT_TRUE(Call(&v1::ReferralService::Stub::SubmitReport, "derm-1", report, &reported).ok());

  v1::AcknowledgeReportRequest ack;
  ack.set_case_id(case_id);
  auto closed = clinic_->AcknowledgeReport("clinic-a", ack);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->case_().status(), v1::CASE_STATUS_CLOSED);
  EXPECT_TRUE(clinic_->AcknowledgeReport("clinic-a", ack).ok());  // a retry

  v1::RecordBiopsyOutcomeRequest biopsy;
  biopsy.set_case_id(case_id);
  biopsy.mutable_outcome()->set_histology_text("Melanoma in situ, margins clear");
  biopsy.mutable_outcome()->set_icd10_code("D03.5");
  v1::RecordBiopsyOutcomeResponse recorded;
  EXPECT_EQ(Call(&v1::ReferralService::Stub::RecordBiopsyOutcome, "derm-2", biopsy, &recorded).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Call(&v1::ReferralService::Stub::RecordBiopsyOutcome, "derm-1", biopsy, &recorded).ok());
  EXPECT_EQ(recorded.case_().report().biopsy().icd10_code(), "D03.5");
  EXPECT_EQ(recorded.case_().report().biopsy().recorded_by(), "derm-1");
  EXPECT_EQ(recorded.case_().status(), v1::CASE_STATUS_CLOSED);
}

TEST_F(ConsultTest, ListQueueFiltersByTierClinicAndOverdue) {
  AddTriagedCase(v1::URGENCY_URGENT, kT0, "clinic-a");
  AddTriagedCase(v1::URGENCY_ROUTINE, kT0, "clinic-a");
  AddTriagedCase(v1::URGENCY_ROUTINE, kT0, "clinic-b");
  AddTriagedCase(v1::URGENCY_SOON, kT0, "clinic-b");
  Drain();
  v1::ListQueueRequest routine;
  routine.set_urgency(v1::URGENCY_ROUTINE);
  routine.set_page_size(1);
  v1::ListQueueResponse page = List("derm-1", routine);
  ASSERT_EQ(page.entries_size(), 1);
  EXPECT_FALSE(page.next_page_token().empty());
  routine.set_page_token(page.next_page_token());
  v1::ListQueueResponse second = List("derm-1", routine);
  ASSERT_EQ(second.entries_size(), 1);
  EXPECT_NE(second.entries(0).case_id(), page.entries(0).case_id());
  v1::ListQueueRequest clinic_b;
  clinic_b.set_clinic_id("clinic-b");
  EXPECT_EQ(List("derm-1", clinic_b).entries_size(), 2);
  clock_->Set(kT0 + absl::Hours(30));  // past the urgent case's due time only
  v1::ListQueueRequest overdue;
  overdue.set_overdue_only(true);
  v1::ListQueueResponse late = List("derm-1", overdue);
  ASSERT_EQ(late.entries_size(), 1);
  EXPECT_EQ(late.entries(0).urgency(), v1::URGENCY_URGENT);
  EXPECT_TRUE(late.next_page_token().empty());
}

TEST_F(ConsultTest, WatchQueueStreamsChangesOfTheCallersPools) {
  PutSpecialist("sup-1", {"general"}, {"general"});
  grpc::ClientContext context;
  Prepare(context, kSpecialistIdHeader, "sup-1");
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto reader = referral_->WatchQueue(&context, v1::WatchQueueRequest());
  // The watch has fixed its start (the current end of the streams) once its
  // initial metadata has come.
  reader->WaitForInitialMetadata();
  const std::string case_id = AddTriagedCase(v1::URGENCY_URGENT, kT0);
  Drain();
  ClaimId("derm-1");
  std::vector<v1::QueueEventType> seen;
  v1::QueueEvent event;
  while (seen.size() < 2 && reader->Read(&event)) {
    EXPECT_EQ(event.case_id(), case_id);
    seen.push_back(event.type());
  }
  EXPECT_EQ(seen, (std::vector<v1::QueueEventType>{v1::QUEUE_EVENT_TYPE_QUEUED, v1::QUEUE_EVENT_TYPE_CLAIMED}));
  context.TryCancel();
  reader->Finish();
}

}  // namespace
}  // namespace telederm::referral
