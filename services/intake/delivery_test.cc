// Intake's part of "nothing lost" (docs/DELIVERY.md): resumable uploads,
// idempotent submission after a crash, backpressure. Real gRPC, a real
// redis-server and a real blob store on disk.
#include <filesystem>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "common/blob/blob_store.h"
#include "common/caller/caller.h"
#include "common/case_store/keys.h"
#include "common/server/call_queue.h"
#include "services/intake/idempotency.h"
#include "services/intake/intake_server_test.h"
#include "services/intake/intake_service.h"
#include "services/intake/quality_gate.h"
#include "services/intake/test_submissions.h"
#include "services/intake/upload_reactor.h"
#include "services/intake/week_buckets.h"
#include "tests/harness/trailers.h"
#include "tests/harness/wait.h"
#include "tests/harness/files.h"

namespace telederm::intake {
namespace {

const std::string kNaevus = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0024311.jpg";

// Where intake claims an idempotency key now.
std::string ThisWeeksIdempotencyBucket(const std::string& clinic) {
  return keys::ClinicIdempotencyWeek(clinic, WeekOf(absl::Now()));
}

class IntakeDeliveryTest : public IntakeServerTest {
 protected:
  void SetUp() override {
    IntakeServerTest::SetUp();
    image_ = testing::ReadFileBytes(kNaevus);
  }

  void StartService(IntakeOptions options = {}) { StartIntake(NewQualityGate(), options); }

  // Sends the header with `offset`, then image_[offset, end); with `cut`,
  // the connection is dropped after image_[offset, cut) instead.
  grpc::Status Upload(int64_t offset, std::optional<size_t> cut, v1::UploadImageResponse* response) {
    auto context = As("clinic-a");
    auto writer = stub_->UploadImage(context.get(), response);
    v1::UploadImageRequest header;
    header.mutable_header()->set_sha256(Sha256Hex(image_));
    header.mutable_header()->set_size_bytes(static_cast<int64_t>(image_.size()));
    header.mutable_header()->set_content_type("image/jpeg");
    header.mutable_header()->set_modality(v1::MODALITY_DERMOSCOPY);
    header.mutable_header()->set_offset(offset);
    writer->Write(header);
    const size_t end = cut.value_or(image_.size());
    for (size_t at = static_cast<size_t>(offset); at < end; at += 16384) {
      v1::UploadImageRequest chunk;
      chunk.set_chunk(image_.substr(at, std::min<size_t>(16384, end - at)));
      if (!writer->Write(chunk)) break;
    }
    if (cut.has_value()) {
      // Let the service store what reached it, then the rural link drops.
      absl::Time wait_until = absl::Now() + absl::Seconds(5);
      while (Status().committed_offset() < static_cast<int64_t>(*cut) && absl::Now() < wait_until) {
        absl::SleepFor(absl::Milliseconds(20));
      }
      context->TryCancel();
      return writer->Finish();
    }
    writer->WritesDone();
    return writer->Finish();
  }

  v1::UploadStatus Status() {
    v1::GetUploadStatusRequest request;
    request.set_sha256(Sha256Hex(image_));
    request.set_size_bytes(static_cast<int64_t>(image_.size()));
    v1::UploadStatus status;
    grpc::Status call = stub_->GetUploadStatus(As("clinic-a").get(), request, &status);
    EXPECT_TRUE(call.ok()) << call.error_message();
    return status;
  }

  // The committed offset once the service has written what it received.
  int64_t SettledOffset() {
    int64_t last = -1;
    for (int i = 0; i < 50; ++i) {
      int64_t now = Status().committed_offset();
      if (now == last && now > 0) return now;
      last = now;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return last;
  }

  std::string image_;
};

TEST_F(IntakeDeliveryTest, UploadCutOffMidwayResumesFromTheCommittedOffsetAndIsNeverVisibleHalfDone) {
  StartService();
  v1::UploadStatus before = Status();
  EXPECT_EQ(before.committed_offset(), 0);
  EXPECT_FALSE(before.stored());
  EXPECT_FALSE(before.has_expires_at());

  v1::UploadImageResponse dropped;
  EXPECT_FALSE(Upload(0, image_.size() / 2, &dropped).ok());
  const int64_t committed = SettledOffset();
  EXPECT_EQ(committed, static_cast<int64_t>(image_.size() / 2));
  EXPECT_FALSE(blobs_->Size(Sha256Hex(image_))->has_value());  // half an image is never a blob
  v1::UploadStatus held = Status();
  EXPECT_EQ(held.upload_id(), UploadId("clinic-a", Sha256Hex(image_), static_cast<int64_t>(image_.size())));
  EXPECT_TRUE(held.has_expires_at());

  v1::UploadImageResponse resumed;
  grpc::Status status = Upload(committed, std::nullopt, &resumed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(resumed.image().sha256(), Sha256Hex(image_));
  EXPECT_EQ(resumed.upload_id(), held.upload_id());
  EXPECT_EQ(**blobs_->Get(Sha256Hex(image_)), image_);
  v1::UploadStatus after = Status();
  EXPECT_TRUE(after.stored());
  EXPECT_EQ(after.committed_offset(), static_cast<int64_t>(image_.size()));
}

TEST_F(IntakeDeliveryTest, ResumeFromBeforeTheCommittedOffsetSkipsWhatIsHeld) {
  StartService();
  v1::UploadImageResponse dropped;
  EXPECT_FALSE(Upload(0, 100000, &dropped).ok());
  ASSERT_GT(SettledOffset(), 0);
  // A client that kept no state starts again from 0: still one correct image.
  v1::UploadImageResponse again;
  grpc::Status status = Upload(0, std::nullopt, &again);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(**blobs_->Get(Sha256Hex(image_)), image_);
}

TEST_F(IntakeDeliveryTest, ResumeBeyondTheCommittedOffsetIsFailedPreconditionNamingIt) {
  StartService();
  v1::UploadImageResponse response;
  grpc::Status status = Upload(5000, std::nullopt, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "resume from offset 0")) << status.error_message();
}

TEST_F(IntakeDeliveryTest, AbandonedUploadExpiresAndIsCleanedUp) {
  IntakeOptions options;
  options.upload_ttl = absl::Milliseconds(300);
  options.upload_sweep_every = absl::Milliseconds(100);
  StartService(options);
  v1::UploadImageResponse dropped;
  EXPECT_FALSE(Upload(0, 50000, &dropped).ok());
  ASSERT_GT(SettledOffset(), 0);
  // Expiry (Redis, 300 ms) and the sweep (every 100 ms) run on their own:
  // wait until both have happened, bounded far above their periods.
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while ((Status().committed_offset() != 0 || !std::filesystem::is_empty(blob_dir_ + "/incoming")) &&
         absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(Status().committed_offset(), 0);
  EXPECT_TRUE(std::filesystem::is_empty(blob_dir_ + "/incoming"));
}

TEST_F(IntakeDeliveryTest, RetryAfterACrashBetweenClaimingTheKeyAndStoringTheCaseStoresItOnce) {
  StartService();
  v1::UploadImageResponse uploaded;
  ASSERT_TRUE(Upload(0, std::nullopt, &uploaded).ok());
  v1::CaseSubmission submission = ValidTumourSubmission(uploaded.image().sha256());
  // The first attempt claimed the key for c-01... and died before storing the case.
  const std::string case_id = "c-01J0000000000000000000000X";
  auto claimed = ClaimIdempotencyKey(*redis_, "clinic-a", "visit-7",
                                     IdempotencyValue(case_id, SubmissionFingerprint(submission)), absl::Now(),
                                     IntakeOptions().idempotency_ttl);
  ASSERT_TRUE(claimed.ok() && !claimed->has_value());
  for (int attempt = 0; attempt < 2; ++attempt) {
    v1::SubmitCaseRequest request;
    *request.mutable_submission() = submission;
    request.set_idempotency_key("visit-7");
    v1::SubmitCaseResponse response;
    grpc::Status status = stub_->SubmitCase(As("clinic-a").get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.case_id(), case_id);
    EXPECT_TRUE(response.duplicate());
  }
  v1::GetCaseRequest get;
  get.set_case_id(case_id);
  v1::Case stored;
  ASSERT_TRUE(stub_->GetCase(As("clinic-a").get(), get, &stored).ok());
  EXPECT_EQ(stored.status(), v1::CASE_STATUS_RECEIVED);
  EXPECT_EQ(redis_->Command({"LLEN", keys::ClinicCaseList("clinic-a")})->integer, 1);
  EXPECT_GE(redis_->Command({"XLEN", keys::kIntakeStream})->integer, 1);
}

TEST_F(IntakeDeliveryTest, KeyClaimedBeforeTheCompactValueFormatStillAnswersItsRetryAndRefusesAnotherCase) {
  // Keys live 30 days: one written by the previous release, "<case id> <hex sha256>".
  StartService();
  v1::UploadImageResponse uploaded;
  ASSERT_TRUE(Upload(0, std::nullopt, &uploaded).ok());
  v1::CaseSubmission submission = ValidTumourSubmission(uploaded.image().sha256());
  const std::string case_id = "c-01J0000000000000000000000Y";
  ASSERT_TRUE(redis_
                  ->Command({"SET", keys::ClinicIdempotency("clinic-a", "visit-9"),
                             absl::StrCat(case_id, " ", absl::BytesToHexString(SubmissionFingerprint(submission)))})
                  .ok());
  v1::SubmitCaseRequest request;
  *request.mutable_submission() = submission;
  request.set_idempotency_key("visit-9");
  v1::SubmitCaseResponse response;
  grpc::Status status = stub_->SubmitCase(As("clinic-a").get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.case_id(), case_id);
  EXPECT_TRUE(response.duplicate());
  request.mutable_submission()->mutable_lesion()->set_duration_days(121);
  status = stub_->SubmitCase(As("clinic-a").get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << status.error_message();
}

// The value fits Redis's short-string size (44 bytes): the case id and the
// first 16 fingerprint bytes. The 60-byte values of the previous release
// (full fingerprint) still read.
TEST(IdempotencyValueTest, HoldsTheCaseIdAndAFingerprintPrefixIn44BytesAndReadsThe60ByteForm) {
  v1::CaseSubmission submission = ValidTumourSubmission(std::string(64, 'a'));
  const std::string fingerprint = SubmissionFingerprint(submission);
  ASSERT_EQ(fingerprint.size(), 32u);
  v1::CaseSubmission other = submission;
  other.mutable_lesion()->set_duration_days(121);
  const std::string value = IdempotencyValue("c-01J0000000000000000000000X", fingerprint);
  EXPECT_EQ(value.size(), 44u);
  std::optional<IdempotencyClaim> claim = ParseIdempotencyValue(value);
  ASSERT_TRUE(claim.has_value());
  EXPECT_EQ(claim->case_id, "c-01J0000000000000000000000X");
  EXPECT_TRUE(claim->IsFor(fingerprint));
  EXPECT_FALSE(claim->IsFor(SubmissionFingerprint(other)));
  std::optional<IdempotencyClaim> earlier =
      ParseIdempotencyValue(absl::StrCat("c-01J0000000000000000000000X", fingerprint));
  ASSERT_TRUE(earlier.has_value());
  EXPECT_EQ(earlier->case_id, "c-01J0000000000000000000000X");
  EXPECT_TRUE(earlier->IsFor(fingerprint));
  EXPECT_FALSE(earlier->IsFor(SubmissionFingerprint(other)));
  EXPECT_FALSE(ParseIdempotencyValue(value.substr(1)).has_value());
  EXPECT_FALSE(ParseIdempotencyValue("").has_value());
  EXPECT_FALSE(ParseIdempotencyValue(absl::StrCat("c-01J0000000000000000000000X ", std::string(64, 'z'))).has_value());
}

TEST_F(IntakeDeliveryTest, KeyClaimedAsItsOwnStringBeforeTheDayBucketsStillAnswersItsRetryAndRefusesAnotherCase) {
  // Keys live 30 days: one written by the previous release, a STRING per key
  // holding "<case id><32 fingerprint bytes>".
  StartService();
  v1::UploadImageResponse uploaded;
  ASSERT_TRUE(Upload(0, std::nullopt, &uploaded).ok());
  v1::CaseSubmission submission = ValidTumourSubmission(uploaded.image().sha256());
  const std::string case_id = "c-01J0000000000000000000000Z";
  ASSERT_TRUE(redis_
                  ->Command({"SET", keys::ClinicIdempotency("clinic-a", "visit-10"),
                             absl::StrCat(case_id, SubmissionFingerprint(submission)), "EX", "2592000"})
                  .ok());
  v1::SubmitCaseRequest request;
  *request.mutable_submission() = submission;
  request.set_idempotency_key("visit-10");
  v1::SubmitCaseResponse response;
  grpc::Status status = stub_->SubmitCase(As("clinic-a").get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.case_id(), case_id);
  EXPECT_TRUE(response.duplicate());
  EXPECT_EQ(redis_->Command({"EXISTS", ThisWeeksIdempotencyBucket("clinic-a")})->integer, 0);
  request.mutable_submission()->mutable_lesion()->set_duration_days(121);
  status = stub_->SubmitCase(As("clinic-a").get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS) << status.error_message();
}

// Memory per case (docs/REDIS.md): no key of its own per submission; the
// clinic's claims of a day share one hash.
TEST_F(IntakeDeliveryTest, SubmissionsOfADayShareTheClinicsDayBucket) {
  StartService();
  v1::UploadImageResponse uploaded;
  ASSERT_TRUE(Upload(0, std::nullopt, &uploaded).ok());
  for (int i = 0; i < 3; ++i) {
    v1::SubmitCaseRequest request;
    *request.mutable_submission() = ValidTumourSubmission(uploaded.image().sha256());
    request.mutable_submission()->mutable_patient()->set_reference(absl::StrCat("pt-", i));
    request.set_idempotency_key(absl::StrCat("visit-", i));
    v1::SubmitCaseResponse response;
    ASSERT_TRUE(stub_->SubmitCase(As("clinic-a").get(), request, &response).ok());
    EXPECT_EQ(redis_->Command({"EXISTS", keys::ClinicIdempotency("clinic-a", request.idempotency_key())})->integer,
              0);
    auto held = redis_->Command({"HGET", ThisWeeksIdempotencyBucket("clinic-a"), request.idempotency_key()});
    ASSERT_TRUE(held.ok()) << held.status();
    std::optional<IdempotencyClaim> claim = ParseIdempotencyValue(held->str);
    ASSERT_TRUE(claim.has_value()) << held->str;
    EXPECT_EQ(claim->case_id, response.case_id());
    EXPECT_TRUE(claim->IsFor(SubmissionFingerprint(request.submission())));
  }
  EXPECT_EQ(redis_->Command({"HLEN", ThisWeeksIdempotencyBucket("clinic-a")})->integer, 3);
}

class ClaimIdempotencyKeyTest : public testing::RedisTest {};

TEST_F(ClaimIdempotencyKeyTest, ClaimIsAnsweredForTheWholeTtlAndItsWeekBucketExpiresAfterIt) {
  const absl::Duration ttl = absl::Hours(24 * 30);
  // The last second of the week of 2026-11-27.
  const int64_t week = WeekOf(absl::FromCivil(absl::CivilDay(2026, 11, 27), absl::UTCTimeZone()));
  const absl::Time claimed = absl::FromUnixMillis((week + 1) * 7 * 24 * 3600 * 1000) - absl::Seconds(1);
  ASSERT_EQ(WeekOf(claimed), week);
  auto first = ClaimIdempotencyKey(*redis_, "clinic-a", "visit-7", "first", claimed, ttl);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->has_value());
  for (absl::Duration later : {absl::ZeroDuration(), absl::Seconds(1), absl::Hours(24 * 29), ttl}) {
    auto again = ClaimIdempotencyKey(*redis_, "clinic-a", "visit-7", "second", claimed + later, ttl);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(again->value_or("claimed anew"), "first") << later;
  }
  // Another clinic's key of the same name is its own.
  auto other = ClaimIdempotencyKey(*redis_, "clinic-b", "visit-7", "other", claimed, ttl);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_FALSE(other->has_value());

  const std::string bucket = keys::ClinicIdempotencyWeek("clinic-a", week);
  EXPECT_EQ(redis_->Command({"HGET", bucket, "visit-7"})->str, "first");
  const int64_t pttl = redis_->Command({"PTTL", bucket})->integer;
  EXPECT_GT(pttl, absl::ToInt64Milliseconds(ttl));                       // the week's end + ttl
  EXPECT_LE(pttl, absl::ToInt64Milliseconds(ttl + absl::Seconds(1)));  // from 23:59:59

  // Past the TTL the week is no longer searched (and has expired in Redis).
  auto past = ClaimIdempotencyKey(*redis_, "clinic-a", "visit-7", "third", claimed + ttl + absl::Seconds(2), ttl);
  ASSERT_TRUE(past.ok()) << past.status();
  EXPECT_FALSE(past->has_value());
}

TEST(SubmissionFingerprintTest, EqualSubmissionsHaveEqualFingerprintsAndAnyChangeAnother) {
  v1::CaseSubmission a = ValidTumourSubmission(std::string(64, 'a'));
  v1::CaseSubmission b;
  ASSERT_TRUE(b.ParseFromString(a.SerializeAsString()));
  EXPECT_EQ(SubmissionFingerprint(a), SubmissionFingerprint(b));
  b.mutable_lesion()->set_duration_days(121);
  EXPECT_NE(SubmissionFingerprint(a), SubmissionFingerprint(b));
}

TEST_F(IntakeDeliveryTest, SubmissionIsRefusedWithARetryHintWhileTheIntakeBacklogIsOverItsBound) {
  IntakeOptions options;
  options.max_intake_backlog = 2;
  options.backlog_refresh = absl::ZeroDuration();
  options.retry_after_backlog = absl::Seconds(20);
  StartService(options);
  v1::UploadImageResponse uploaded;
  ASSERT_TRUE(Upload(0, std::nullopt, &uploaded).ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(redis_->Command({"XADD", keys::kIntakeStream, "*", "case_id", "c-waiting"}).ok());
  }
  v1::SubmitCaseRequest request;
  *request.mutable_submission() = ValidTumourSubmission(uploaded.image().sha256());
  request.set_idempotency_key("visit-8");
  v1::SubmitCaseResponse response;
  auto context = As("clinic-a");
  grpc::Status status = stub_->SubmitCase(context.get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "3 cases wait")) << status.error_message();
  EXPECT_EQ(testing::Trailer(*context, kRetryAfterMsTrailer), "20000");
  // gRPC's own name too, which a channel with a retry policy honours by itself.
  EXPECT_EQ(testing::Trailer(*context, kRetryPushbackMsTrailer), "20000");
  EXPECT_EQ(redis_->Command({"EXISTS", ThisWeeksIdempotencyBucket("clinic-a")})->integer, 0);

  // Triage catches up: the same request goes through.
  ASSERT_TRUE(redis_->Command({"DEL", keys::kIntakeStream}).ok());
  EXPECT_TRUE(stub_->SubmitCase(As("clinic-a").get(), request, &response).ok());
}

TEST_F(IntakeDeliveryTest, EventWatchBeyondTheBoundIsRefusedWithARetryHintUntilAWatchEnds) {
  IntakeOptions options;
  options.max_watches = 1;
  StartService(options);
  auto first = As("clinic-a");
  auto first_reader = stub_->WatchEvents(first.get(), v1::WatchEventsRequest());
  ASSERT_TRUE(testing::WaitUntil([&] { return service_->open_watches() == 1; }, absl::Seconds(30)));

  auto second = As("clinic-b");
  auto second_reader = stub_->WatchEvents(second.get(), v1::WatchEventsRequest());
  v1::CaseEvent event;
  EXPECT_FALSE(second_reader->Read(&event));
  grpc::Status refused = second_reader->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "already serves 1 event watches")) << refused.error_message();
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "try again in 1 second")) << refused.error_message();
  EXPECT_EQ(testing::Trailer(*second, kRetryAfterMsTrailer), "1000");
  EXPECT_EQ(testing::Trailer(*second, kRetryPushbackMsTrailer), "1000");

  // The first clinic's watch ends: its slot is free for the next.
  first->TryCancel();
  first_reader->Finish();
  ASSERT_TRUE(testing::WaitUntil([&] { return service_->open_watches() == 0; }, absl::Seconds(30)));
  auto third = As("clinic-b");
  auto third_reader = stub_->WatchEvents(third.get(), v1::WatchEventsRequest());
  EXPECT_TRUE(testing::WaitUntil([&] { return service_->open_watches() == 1; }, absl::Seconds(30)));
  third->TryCancel();
  third_reader->Finish();
}

TEST_F(IntakeDeliveryTest, OneClinicFillsOnlyItsOwnShareOfEventWatchesAndAnotherStillGetsOne) {
  IntakeOptions options;
  options.max_watches = 3;
  options.max_watches_per_clinic = 2;
  StartService(options);
  auto first = As("clinic-a");
  auto second = As("clinic-a");
  auto first_reader = stub_->WatchEvents(first.get(), v1::WatchEventsRequest());
  auto second_reader = stub_->WatchEvents(second.get(), v1::WatchEventsRequest());
  ASSERT_TRUE(testing::WaitUntil([&] { return service_->open_watches() == 2; }, absl::Seconds(30)));

  auto third = As("clinic-a");
  auto third_reader = stub_->WatchEvents(third.get(), v1::WatchEventsRequest());
  v1::CaseEvent event;
  EXPECT_FALSE(third_reader->Read(&event));
  grpc::Status refused = third_reader->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(refused.error_message(),
            "clinic-a already has 2 event watches open, the most one caller may have; nothing was done: close one "
            "you no longer read (one per screen is enough) and open this one again");
  EXPECT_EQ(service_->open_watches(), 2);

  auto other = As("clinic-b");
  auto other_reader = stub_->WatchEvents(other.get(), v1::WatchEventsRequest());
  EXPECT_TRUE(testing::WaitUntil([&] { return service_->open_watches() == 3; }, absl::Seconds(30)));
  for (auto* context : {first.get(), second.get(), other.get()}) context->TryCancel();
  first_reader->Finish();
  second_reader->Finish();
  other_reader->Finish();
}

TEST(CallQueueTest, WorkBeyondTheBoundIsRefusedAtOnceAndAcceptedAgainWhenDone) {
  CallQueue queue(1, 2);
  absl::Notification release;
  std::atomic<int> done{0};
  EXPECT_TRUE(queue.TryPost([&] { release.WaitForNotification(); ++done; }));
  EXPECT_TRUE(queue.TryPost([&] { ++done; }));
  EXPECT_FALSE(queue.TryPost([&] { ++done; }));
  release.Notify();
  queue.Join();
  EXPECT_EQ(done.load(), 2);
  EXPECT_EQ(queue.queued(), 0);
}

}  // namespace
}  // namespace telederm::intake
