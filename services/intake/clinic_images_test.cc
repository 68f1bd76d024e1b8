// A clinic sees, resumes and names only images it uploaded itself: through
// the real intake gRPC server, two clinics, a real redis-server and real
// dermoscopy images. Identical bytes are stored once on disk whoever sent them.
#include "services/intake/clinic_images.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/blob/blob_store.h"
#include "common/case_store/keys.h"
#include "common/clock/clock.h"
#include "services/intake/intake_server_test.h"
#include "services/intake/quality_gate.h"
#include "services/intake/test_submissions.h"
#include "services/intake/week_buckets.h"
#include "tests/harness/files.h"

namespace telederm::intake {
namespace {

const std::string kMelanoma = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0025248.jpg";
const std::string kNaevus = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0024311.jpg";

// What a clinic is told about an image it did not upload itself: the same
// whether another clinic uploaded it or nobody did.
std::string NotUploadedMessage(const std::string& field, const std::string& sha256) {
  return absl::StrCat(field, "[0]: no image with sha256 ", sha256,
                      " was uploaded by this clinic; upload the photo with UploadImage first");
}

class ClinicImagesTest : public IntakeServerTest {
 protected:
  void SetUp() override {
    IntakeServerTest::SetUp();
    StartIntake(NewQualityGate());
    melanoma_ = testing::ReadFileBytes(kMelanoma);
  }

  v1::UploadStatus Status(const std::string& clinic, const std::string& bytes) {
    v1::GetUploadStatusRequest request;
    request.set_sha256(Sha256Hex(bytes));
    request.set_size_bytes(static_cast<int64_t>(bytes.size()));
    v1::UploadStatus status;
    grpc::Status call = stub_->GetUploadStatus(As(clinic).get(), request, &status);
    EXPECT_TRUE(call.ok()) << call.error_message();
    return status;
  }

  // Sends the header and the first `sent` bytes, then ends the stream: the
  // service keeps them for a resume and answers that the upload is short.
  void UploadPart(const std::string& clinic, const std::string& bytes, size_t sent) {
    auto context = As(clinic);
    v1::UploadImageResponse response;
    auto writer = stub_->UploadImage(context.get(), &response);
    v1::UploadImageRequest header;
    header.mutable_header()->set_sha256(Sha256Hex(bytes));
    header.mutable_header()->set_size_bytes(static_cast<int64_t>(bytes.size()));
    header.mutable_header()->set_modality(v1::MODALITY_DERMOSCOPY);
    writer->Write(header);
    v1::UploadImageRequest chunk;
    chunk.set_chunk(bytes.substr(0, sent));
    writer->Write(chunk);
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message(), absl::StrCat("the upload ended after ", sent, " of ", bytes.size(),
                                                   " bytes: resume from offset ", sent));
  }

  // A case of `clinic` with its own upload of the naevus.
  std::string SubmitOwnCase(const std::string& clinic) {
    v1::SubmitCaseResponse submitted;
    grpc::Status status = Submit(clinic, ValidTumourSubmission(UploadOk(clinic, kNaevus)), "", &submitted);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return submitted.case_id();
  }

  grpc::Status Attach(const std::string& clinic, const std::string& case_id, const std::string& sha256) {
    v1::ClinicMessageRequest request;
    request.set_case_id(case_id);
    request.set_text("the same lesion, closer");
    v1::ImageRef* image = request.add_attachments();
    image->set_sha256(sha256);
    image->set_modality(v1::MODALITY_DERMOSCOPY);
    v1::ClinicMessageResponse response;
    return stub_->SendMessage(As(clinic).get(), request, &response);
  }

  std::string melanoma_;
};

TEST_F(ClinicImagesTest, UploadStatusOfAnotherClinicsImageSaysNothingIsStored) {
  UploadOk("clinic-a", kMelanoma);
  EXPECT_TRUE(Status("clinic-a", melanoma_).stored());

  v1::UploadStatus status = Status("clinic-b", melanoma_);
  EXPECT_FALSE(status.stored());
  EXPECT_EQ(status.committed_offset(), 0);
  EXPECT_FALSE(status.has_expires_at());
}

TEST_F(ClinicImagesTest, HeaderOnlyUploadOfAnotherClinicsImageMustSendTheBytes) {
  UploadOk("clinic-a", kMelanoma);
  v1::UploadImageResponse own;
  ASSERT_TRUE(Upload("clinic-a", melanoma_, Sha256Hex(melanoma_), &own, 0, /*header_only=*/true).ok());
  EXPECT_TRUE(own.already_stored());

  v1::UploadImageResponse response;
  grpc::Status status = Upload("clinic-b", melanoma_, Sha256Hex(melanoma_), &response, 0, /*header_only=*/true);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            absl::StrCat("the upload ended after 0 of ", melanoma_.size(), " bytes: resume from offset 0"));
}

TEST_F(ClinicImagesTest, ResumingAtTheEndOfAnotherClinicsImageIsToldToStartFromZero) {
  UploadOk("clinic-a", kMelanoma);
  v1::UploadImageResponse response;
  grpc::Status status = Upload("clinic-b", melanoma_, Sha256Hex(melanoma_), &response,
                               static_cast<int64_t>(melanoma_.size()));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), "header.offset: the service holds 0 bytes of this upload; resume from offset 0");
}

TEST_F(ClinicImagesTest, AnotherClinicsPartialUploadOfTheSameImageIsNeitherShownNorResumed) {
  const size_t half = melanoma_.size() / 2;
  UploadPart("clinic-a", melanoma_, half);
  EXPECT_EQ(Status("clinic-a", melanoma_).committed_offset(), static_cast<int64_t>(half));

  v1::UploadStatus status = Status("clinic-b", melanoma_);
  EXPECT_EQ(status.committed_offset(), 0);
  EXPECT_FALSE(status.has_expires_at());
  v1::UploadImageResponse response;
  grpc::Status resumed =
      Upload("clinic-b", melanoma_, Sha256Hex(melanoma_), &response, static_cast<int64_t>(half));
  EXPECT_EQ(resumed.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(resumed.error_message(), "header.offset: the service holds 0 bytes of this upload; resume from offset 0");
  // clinic-a's part is untouched and completes.
  EXPECT_EQ(Status("clinic-a", melanoma_).committed_offset(), static_cast<int64_t>(half));
  v1::UploadImageResponse completed;
  ASSERT_TRUE(Upload("clinic-a", melanoma_, Sha256Hex(melanoma_), &completed, static_cast<int64_t>(half)).ok());
}

TEST_F(ClinicImagesTest, FullUploadOfBytesAnotherClinicStoredIsAnsweredAsNewAndThenIsTheClinicsOwn) {
  UploadOk("clinic-a", kMelanoma);
  v1::UploadImageResponse first;
  grpc::Status status = Upload("clinic-b", melanoma_, Sha256Hex(melanoma_), &first);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(first.already_stored());  // nothing about clinic-a's upload
  EXPECT_EQ(first.image().sha256(), Sha256Hex(melanoma_));
  EXPECT_EQ(first.image().size_bytes(), static_cast<int64_t>(melanoma_.size()));
  EXPECT_EQ(**blobs_->Get(Sha256Hex(melanoma_)), melanoma_);  // still one copy on disk

  EXPECT_TRUE(Status("clinic-b", melanoma_).stored());
  v1::UploadImageResponse again;
  ASSERT_TRUE(Upload("clinic-b", melanoma_, Sha256Hex(melanoma_), &again, 0, /*header_only=*/true).ok());
  EXPECT_TRUE(again.already_stored());
  v1::SubmitCaseResponse submitted;
  status = Submit("clinic-b", ValidTumourSubmission(Sha256Hex(melanoma_)), "", &submitted);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(ClinicImagesTest, CaseNamingAnotherClinicsImageIsRefusedAsIfNobodyHadUploadedIt) {
  const std::string foreign = UploadOk("clinic-a", kMelanoma);
  const std::string unknown = Sha256Hex("never uploaded");
  v1::SubmitCaseResponse response;
  grpc::Status status = Submit("clinic-b", ValidTumourSubmission(foreign), "", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), NotUploadedMessage("images", foreign));
  status = Submit("clinic-b", ValidTumourSubmission(unknown), "", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), NotUploadedMessage("images", unknown));
  EXPECT_EQ(redis_->Command({"XLEN", keys::kIntakeStream})->integer, 0);
  EXPECT_EQ(redis_->Command({"EXISTS", keys::ClinicCaseList("clinic-b")})->integer, 0);
}

TEST_F(ClinicImagesTest, MessageAttachingAnotherClinicsImageIsRefusedAsIfNobodyHadUploadedIt) {
  const std::string foreign = UploadOk("clinic-a", kMelanoma);
  const std::string case_id = SubmitOwnCase("clinic-b");
  grpc::Status status = Attach("clinic-b", case_id, foreign);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), NotUploadedMessage("attachments", foreign));
  const std::string unknown = Sha256Hex("never uploaded");
  status = Attach("clinic-b", case_id, unknown);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), NotUploadedMessage("attachments", unknown));

  v1::ListMessagesRequest list;
  list.set_case_id(case_id);
  v1::ListMessagesResponse messages;
  ASSERT_TRUE(stub_->ListMessages(As("clinic-b").get(), list, &messages).ok());
  EXPECT_EQ(messages.messages_size(), 0);
  // Once clinic-b sends the bytes itself, it may attach them.
  const std::string own = UploadOk("clinic-b", kMelanoma);
  status = Attach("clinic-b", case_id, own);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

class ClinicImagesRetentionTest : public testing::RedisTest {
 protected:
  std::shared_ptr<SimulatedClock> clock_ =
      std::make_shared<SimulatedClock>(absl::FromCivil(absl::CivilSecond(2026, 12, 3, 18, 0, 0), absl::UTCTimeZone()));
};

TEST_F(ClinicImagesRetentionTest, ImageIsTheClinicsForTheRetentionAfterItsLastUploadAndNoLonger) {
  ClinicImages images(redis_, clock_, absl::Hours(24 * 60));
  const std::string sha = Sha256Hex("a photo");
  ASSERT_TRUE(images.Record("clinic-a", sha).ok());
  const std::string bucket = keys::ClinicImagesWeek("clinic-a", WeekOf(clock_->Now()));
  const int64_t ttl_ms = redis_->Command({"PTTL", bucket})->integer;
  EXPECT_GT(ttl_ms, absl::ToInt64Milliseconds(absl::Hours(24 * 60)));
  EXPECT_LE(ttl_ms, absl::ToInt64Milliseconds(absl::Hours(24 * 67)));
  EXPECT_EQ(redis_->Command({"HLEN", bucket})->integer, 1);

  clock_->Advance(absl::Hours(24 * 59));
  EXPECT_TRUE(*images.Uploaded("clinic-a", sha));
  EXPECT_FALSE(*images.Uploaded("clinic-b", sha));
  // At most the retention and a week: the bucket's week has ended 60 days ago.
  clock_->Advance(absl::Hours(24 * 9));
  EXPECT_FALSE(*images.Uploaded("clinic-a", sha));
  // Uploading it again makes it the clinic's for another retention.
  ASSERT_TRUE(images.Record("clinic-a", sha).ok());
  EXPECT_TRUE(*images.Uploaded("clinic-a", sha));
}

}  // namespace
}  // namespace telederm::intake
