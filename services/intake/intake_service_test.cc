// The intake service through its real gRPC API, against a real redis-server
// and a real blob store on disk.
#include "services/intake/intake_service.h"


#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/match.h"
#include "common/blob/blob_store.h"
#include "common/caller/caller.h"
#include "common/case_store/keys.h"
#include "services/intake/intake_server_test.h"
#include "services/intake/quality_gate.h"
#include "services/intake/test_submissions.h"
#include "tests/harness/files.h"

namespace telederm::intake {
namespace {

const std::string kMelanoma = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0025248.jpg";
const std::string kNaevus = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0024311.jpg";

class IntakeServiceTest : public IntakeServerTest {
 protected:
  void SetUp() override {
    IntakeServerTest::SetUp();
    StartIntake(NewQualityGate());
  }

  // Submits the cases of patients pt-0 .. pt-<count - 1>, in that order, each
  // with the image `sha` and the idempotency key `key_prefix`<i> (none if the
  // prefix is empty). Returns their ids.
  std::vector<std::string> SubmitPatients(const std::string& clinic, const std::string& sha, int count,
                                          const std::string& key_prefix) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
      v1::CaseSubmission submission = ValidTumourSubmission(sha);
      submission.mutable_patient()->set_reference(absl::StrCat("pt-", i));
      v1::SubmitCaseResponse response;
      grpc::Status status =
          Submit(clinic, submission, key_prefix.empty() ? "" : absl::StrCat(key_prefix, i), &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      ids.push_back(response.case_id());
    }
    return ids;
  }

  // The ids ListCases gives the clinic, following its pages `page_size` at a
  // time (at most 20 pages).
  std::vector<std::string> ListAllCaseIds(const std::string& clinic, int page_size) {
    std::vector<std::string> listed;
    v1::ListCasesRequest request;
    request.set_page_size(page_size);
    for (int page = 0; page < 20; ++page) {
      v1::ListCasesResponse response;
      grpc::Status status = stub_->ListCases(As(clinic).get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      for (const auto& c : response.cases()) listed.push_back(c.case_id());
      if (!status.ok() || response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return listed;
  }
};

TEST_F(IntakeServiceTest, RealDermoscopyUploadIsStoredWithAResolutionWarning) {
  std::string bytes = testing::ReadFileBytes(kMelanoma);
  v1::UploadImageResponse response;
  grpc::Status status = Upload("clinic-a", bytes, Sha256Hex(bytes), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.image().sha256(), Sha256Hex(bytes));
  EXPECT_EQ(response.image().size_bytes(), static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(**blobs_->Get(Sha256Hex(bytes)), bytes);
  // HAM10000 images are 600x450: readable, but below the 800x600 guideline.
  ASSERT_GE(response.warnings_size(), 1);
  EXPECT_EQ(response.warnings(0).severity(), v1::QUALITY_SEVERITY_WARNING);
  EXPECT_EQ(response.warnings(0).code(), "low_resolution");
}

TEST_F(IntakeServiceTest, DamagedUploadIsRefusedAndNothingIsStored) {
  std::string bytes = testing::ReadFileBytes(kMelanoma);
  std::string declared = Sha256Hex(bytes);
  bytes[bytes.size() / 2] ^= 0x5a;
  v1::UploadImageResponse response;
  grpc::Status status = Upload("clinic-a", bytes, declared, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "send it again")) << status.error_message();
  EXPECT_FALSE(blobs_->Get(declared)->has_value());
  EXPECT_FALSE(blobs_->Get(Sha256Hex(bytes))->has_value());
}

TEST_F(IntakeServiceTest, TextDeclaredAsJpegIsRefusedAsNotAnImage) {
  std::string bytes = "this is a referral letter, not a photo";
  v1::UploadImageResponse response;
  grpc::Status status = Upload("clinic-a", bytes, Sha256Hex(bytes), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_FALSE(blobs_->Get(Sha256Hex(bytes))->has_value());
}

TEST_F(IntakeServiceTest, ThumbnailIsRefusedWithARetakeMessage) {
  cv::Mat image = cv::imread(kMelanoma);
  cv::Mat thumbnail;
  cv::resize(image, thumbnail, cv::Size(200, 150), 0, 0, cv::INTER_AREA);
  std::vector<uchar> encoded;
  ASSERT_TRUE(cv::imencode(".jpg", thumbnail, encoded));
  std::string bytes(encoded.begin(), encoded.end());
  v1::UploadImageResponse response;
  grpc::Status status = Upload("clinic-a", bytes, Sha256Hex(bytes), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "retake the photo: ")) << status.error_message();
  EXPECT_FALSE(blobs_->Get(Sha256Hex(bytes))->has_value());
}

TEST_F(IntakeServiceTest, BlurredCopyOfASharpPhotoComesBackWithAdviceToRefocus) {
  auto blur_finding = [&](const cv::Mat& image) -> std::optional<v1::QualityFinding> {
    std::vector<uchar> encoded;
    EXPECT_TRUE(cv::imencode(".jpg", image, encoded));
    std::string bytes(encoded.begin(), encoded.end());
    v1::UploadImageResponse response;
    grpc::Status status = Upload("clinic-a", bytes, Sha256Hex(bytes), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();  // readable, so stored, with a warning
    for (const auto& warning : response.warnings()) {
      if (warning.code() == "blurred") return warning;
    }
    return std::nullopt;
  };
  cv::Mat sharp = cv::imread(kMelanoma);
  cv::Mat blurred;
  cv::GaussianBlur(sharp, blurred, cv::Size(0, 0), 12);
  EXPECT_FALSE(blur_finding(sharp).has_value());
  std::optional<v1::QualityFinding> finding = blur_finding(blurred);
  ASSERT_TRUE(finding.has_value());
  EXPECT_EQ(finding->severity(), v1::QUALITY_SEVERITY_WARNING);
  EXPECT_LT(finding->measured(), finding->threshold());
  EXPECT_TRUE(absl::StrContains(finding->message(), "tap to focus")) << finding->message();
}

TEST_F(IntakeServiceTest, UploadLongerThanDeclaredIsRefused) {
  std::string bytes = testing::ReadFileBytes(kMelanoma);
  auto context = As("clinic-a");
  v1::UploadImageResponse response;
  auto writer = stub_->UploadImage(context.get(), &response);
  v1::UploadImageRequest header;
  header.mutable_header()->set_sha256(Sha256Hex(bytes));
  header.mutable_header()->set_size_bytes(100);
  header.mutable_header()->set_modality(v1::MODALITY_DERMOSCOPY);
  writer->Write(header);
  v1::UploadImageRequest chunk;
  chunk.set_chunk(bytes);
  writer->Write(chunk);
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "header.size_bytes")) << status.error_message();
}

TEST_F(IntakeServiceTest, SubmittedCaseIsStoredAsReceivedAndEnqueuedForTriage) {
  std::string sha = UploadOk("clinic-a", kMelanoma);
  v1::SubmitCaseResponse response;
  grpc::Status status = Submit("clinic-a", ValidTumourSubmission(sha), "", &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), v1::CASE_STATUS_RECEIVED);

  v1::Case stored;
  ASSERT_TRUE(stub_->GetCase(As("clinic-a").get(), [&] {
    v1::GetCaseRequest r;
    r.set_case_id(response.case_id());
    return r;
  }(), &stored).ok());
  EXPECT_EQ(stored.clinic_id(), "clinic-a");
  EXPECT_EQ(stored.status(), v1::CASE_STATUS_RECEIVED);
  EXPECT_GT(stored.submission().images(0).size_bytes(), 0);

  auto entries = redis_->Command({"XRANGE", keys::kIntakeStream, "-", "+"});
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->elements.size(), 1u);
  EXPECT_EQ(entries->elements[0].elements[1].elements[1].str, response.case_id());
}

TEST_F(IntakeServiceTest, SubmissionNamingAnImageNeverUploadedIsFailedPrecondition) {
  v1::SubmitCaseResponse response;
  grpc::Status status = Submit("clinic-a", ValidTumourSubmission(Sha256Hex("never uploaded")), "", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "images[0]: no image with sha256")) << status.error_message();
  EXPECT_EQ(redis_->Command({"XLEN", keys::kIntakeStream})->integer, 0);
}

TEST_F(IntakeServiceTest, InvalidFieldIsInvalidArgumentNamingTheFieldAndStoresNothing) {
  std::string sha = UploadOk("clinic-a", kMelanoma);
  v1::CaseSubmission submission = ValidTumourSubmission(sha);
  submission.mutable_patient()->set_age_years(150);
  v1::SubmitCaseResponse response;
  grpc::Status status = Submit("clinic-a", submission, "", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "patient.age_years:")) << status.error_message();
  EXPECT_EQ(redis_->Command({"XLEN", keys::kIntakeStream})->integer, 0);
}

// The contract bounds the question in characters: Amharic takes 3 bytes a
// character in UTF-8, so 700 characters are 2100 bytes and well within it.
TEST_F(IntakeServiceTest, ClinicalQuestionIsBoundedInCharactersNotBytes) {
  const std::string sha = UploadOk("clinic-a", kNaevus);
  auto amharic = [](int characters) {
    std::string text;
    for (int i = 0; i < characters; ++i) text += "\xe1\x88\x80";  // U+1200 ETHIOPIC SYLLABLE HA
    return text;
  };
  v1::CaseSubmission submission = ValidTumourSubmission(sha);
  v1::SubmitCaseResponse response;
  for (int characters : {700, 2000}) {
    submission.set_clinical_question(amharic(characters));
    grpc::Status status = Submit("clinic-a", submission, "", &response);
    EXPECT_TRUE(status.ok()) << characters << ": " << status.error_message();
  }
  submission.set_clinical_question(amharic(2001));
  grpc::Status status = Submit("clinic-a", submission, "", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "submission.clinical_question: at most 2000 characters are accepted (got 2001); shorten it");
}

TEST_F(IntakeServiceTest, RetryWithSameIdempotencyKeyReturnsTheSameCase) {
  std::string sha = UploadOk("clinic-a", kMelanoma);
  v1::SubmitCaseResponse first, second;
  ASSERT_TRUE(Submit("clinic-a", ValidTumourSubmission(sha), "visit-17", &first).ok());
  ASSERT_TRUE(Submit("clinic-a", ValidTumourSubmission(sha), "visit-17", &second).ok());
  EXPECT_EQ(first.case_id(), second.case_id());
  EXPECT_FALSE(first.duplicate());
  EXPECT_TRUE(second.duplicate());
  EXPECT_EQ(redis_->Command({"LLEN", keys::ClinicCaseList("clinic-a")})->integer, 1);
}

TEST_F(IntakeServiceTest, SameIdempotencyKeyForADifferentCaseIsAlreadyExists) {
  std::string sha = UploadOk("clinic-a", kMelanoma);
  v1::SubmitCaseResponse first, second;
  ASSERT_TRUE(Submit("clinic-a", ValidTumourSubmission(sha), "visit-17", &first).ok());
  v1::CaseSubmission other = ValidTumourSubmission(sha);
  other.mutable_patient()->set_reference("pt-0043");
  grpc::Status status = Submit("clinic-a", other, "visit-17", &second);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(redis_->Command({"LLEN", keys::ClinicCaseList("clinic-a")})->integer, 1);
}

TEST_F(IntakeServiceTest, ClinicNeverSeesAnotherClinicsCase) {
  std::string sha = UploadOk("clinic-a", kMelanoma);
  v1::SubmitCaseResponse submitted;
  ASSERT_TRUE(Submit("clinic-a", ValidTumourSubmission(sha), "", &submitted).ok());

  v1::GetCaseRequest get;
  get.set_case_id(submitted.case_id());
  v1::Case c;
  grpc::Status status = stub_->GetCase(As("clinic-b").get(), get, &c);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);

  v1::ListCasesResponse listed;
  ASSERT_TRUE(stub_->ListCases(As("clinic-b").get(), v1::ListCasesRequest(), &listed).ok());
  EXPECT_EQ(listed.cases_size(), 0);
  ASSERT_TRUE(stub_->ListCases(As("clinic-a").get(), v1::ListCasesRequest(), &listed).ok());
  EXPECT_EQ(listed.cases_size(), 1);
}

TEST_F(IntakeServiceTest, CallWithoutIdentityIsUnauthenticated) {
  grpc::ClientContext context;
  v1::ListCasesResponse listed;
  EXPECT_EQ(stub_->ListCases(&context, v1::ListCasesRequest(), &listed).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(IntakeServiceTest, ListCasesPagesNewestFirst) {
  std::vector<std::string> ids = SubmitPatients("clinic-a", UploadOk("clinic-a", kNaevus), 5, "");
  EXPECT_EQ(ListAllCaseIds("clinic-a", 2), std::vector<std::string>(ids.rbegin(), ids.rend()));
}

// A clinic's cases indexed before the list (a ZSET, which a deployed Redis
// holds) are listed after the newer ones, pages continuing across both, and a
// retry of such a case does not index it again.
TEST_F(IntakeServiceTest, CasesIndexedBeforeTheListComeAfterTheNewOnesAcrossPages) {
  std::string sha = UploadOk("clinic-a", kNaevus);
  std::vector<std::string> ids = SubmitPatients("clinic-a", sha, 5, "visit-");
  // The two oldest as the previous release indexed them.
  ASSERT_TRUE(redis_->Command({"DEL", keys::ClinicCaseList("clinic-a")}).ok());
  ASSERT_TRUE(redis_->Command({"ZADD", keys::ClinicCases("clinic-a"), "1000", ids[0], "2000", ids[1]}).ok());
  ASSERT_TRUE(redis_->Command({"RPUSH", keys::ClinicCaseList("clinic-a"), ids[2], ids[3], ids[4]}).ok());

  v1::SubmitCaseResponse retried;
  v1::CaseSubmission first = ValidTumourSubmission(sha);
  first.mutable_patient()->set_reference("pt-0");
  ASSERT_TRUE(Submit("clinic-a", first, "visit-0", &retried).ok());
  EXPECT_EQ(retried.case_id(), ids[0]);
  EXPECT_EQ(redis_->Command({"LLEN", keys::ClinicCaseList("clinic-a")})->integer, 3);

  for (int page_size : {2, 3, 5, 10}) {
    EXPECT_EQ(ListAllCaseIds("clinic-a", page_size), std::vector<std::string>(ids.rbegin(), ids.rend())) << page_size;
  }
}

// Records stored before the record left out its id (a deployed Redis holds
// them) are listed and read exactly as the new ones.
TEST_F(IntakeServiceTest, CaseStoredInTheEarlierLayoutIsListedAndReadWithItsId) {
  std::string sha = UploadOk("clinic-a", kNaevus);
  v1::SubmitCaseResponse submitted;
  ASSERT_TRUE(Submit("clinic-a", ValidTumourSubmission(sha), "", &submitted).ok());
  v1::GetCaseRequest get;
  get.set_case_id(submitted.case_id());
  v1::Case c;
  ASSERT_TRUE(stub_->GetCase(As("clinic-a").get(), get, &c).ok());
  ASSERT_TRUE(redis_->Command({"HSET", keys::Case(c.case_id()), "pb", c.SerializeAsString()}).ok());

  v1::Case read;
  ASSERT_TRUE(stub_->GetCase(As("clinic-a").get(), get, &read).ok());
  EXPECT_EQ(read.SerializeAsString(), c.SerializeAsString());
  v1::ListCasesResponse listed;
  ASSERT_TRUE(stub_->ListCases(As("clinic-a").get(), v1::ListCasesRequest(), &listed).ok());
  ASSERT_EQ(listed.cases_size(), 1);
  EXPECT_EQ(listed.cases(0).SerializeAsString(), c.SerializeAsString());
}

TEST_F(IntakeServiceTest, WatchEventsDeliversTheClinicsEventsAndResumesAfterTheLastSeen) {
  std::string sha = UploadOk("clinic-a", kMelanoma);
  v1::SubmitCaseResponse first, second, foreign;
  ASSERT_TRUE(Submit("clinic-a", ValidTumourSubmission(sha), "", &first).ok());
  ASSERT_TRUE(Submit("clinic-b", ValidTumourSubmission(UploadOk("clinic-b", kMelanoma)), "", &foreign).ok());
  ASSERT_TRUE(Submit("clinic-a", ValidTumourSubmission(sha), "k2", &second).ok());

  auto read = [&](const std::string& after, int n) {
    auto context = As("clinic-a");
    v1::WatchEventsRequest request;
    request.set_after_event_id(after);
    auto reader = stub_->WatchEvents(context.get(), request);
    std::vector<v1::CaseEvent> events;
    v1::CaseEvent event;
    while (static_cast<int>(events.size()) < n && reader->Read(&event)) events.push_back(event);
    context->TryCancel();
    reader->Finish();
    return events;
  };
  std::vector<v1::CaseEvent> events = read("", 2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].case_id(), first.case_id());
  EXPECT_EQ(events[0].type(), v1::EVENT_TYPE_RECEIVED);
  EXPECT_EQ(events[1].case_id(), second.case_id());

  std::vector<v1::CaseEvent> resumed = read(events[0].event_id(), 1);
  ASSERT_EQ(resumed.size(), 1u);
  EXPECT_EQ(resumed[0].event_id(), events[1].event_id());
}

TEST_F(IntakeServiceTest, WatchWithMalformedResumeTokenIsInvalidArgument) {
  auto context = As("clinic-a");
  v1::WatchEventsRequest request;
  request.set_after_event_id("last tuesday");
  auto reader = stub_->WatchEvents(context.get(), request);
  v1::CaseEvent event;
  EXPECT_FALSE(reader->Read(&event));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}


// Sends `body` as the one request message of `method` (the bytes as they are,
// not a serialized message) with `context`, and returns how the call ended.
grpc::Status CallWithRawBody(int port, std::unique_ptr<grpc::ClientContext> context, const std::string& method,
                             const std::string& body) {
  grpc::GenericStub stub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  grpc::CompletionQueue queue;
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call = stub.PrepareCall(context.get(), method, &queue);
  // Each step waits for its own completion (a write may fail once the server has answered).
  auto await = [&queue](void* step) {
    void* tag = nullptr;
    bool ok = false;
    while (queue.Next(&tag, &ok) && tag != step) {
    }
  };
  int start = 0, write = 0, finish = 0;
  call->StartCall(&start);
  await(&start);
  grpc::Slice slice(body);
  call->WriteLast(grpc::ByteBuffer(&slice, 1), grpc::WriteOptions(), &write);
  await(&write);
  grpc::Status status;
  call->Finish(&status, &finish);
  await(&finish);
  queue.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (queue.Next(&tag, &ok)) {
  }
  return status;
}

// Bytes that are not a protobuf message (the first byte announces wire type 6,
// which does not exist) are a bad request, answered as one, for a unary call
// and for a call that streams its answer alike.
TEST_F(IntakeServiceTest, RequestBodyThatIsNotTheMethodsMessageIsInvalidArgumentNamingTheMessage) {
  const std::string garbage = "not a protobuf message";
  grpc::Status submit =
      CallWithRawBody(server_->port(), As("clinic-a"), "/telederm.v1.IntakeService/SubmitCase", garbage);
  EXPECT_EQ(submit.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(submit.error_message(),
            "request: the body does not parse as a telederm.v1.SubmitCaseRequest, the protobuf message "
            "IntakeService.SubmitCase takes; send that message as the generated clients do");
  EXPECT_EQ(redis_->Command({"XLEN", keys::kIntakeStream})->integer, 0);

  grpc::Status watch =
      CallWithRawBody(server_->port(), As("clinic-a"), "/telederm.v1.IntakeService/WatchEvents", garbage);
  EXPECT_EQ(watch.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(watch.error_message(),
            "request: the body does not parse as a telederm.v1.WatchEventsRequest, the protobuf message "
            "IntakeService.WatchEvents takes; send that message as the generated clients do");

  // The server goes on answering well-formed calls.
  v1::ListCasesResponse listed;
  EXPECT_TRUE(stub_->ListCases(As("clinic-a").get(), v1::ListCasesRequest(), &listed).ok());
}

}  // namespace
}  // namespace telederm::intake
