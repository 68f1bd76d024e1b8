// The CLI's upload survives a dropped connection by itself: against a fake
// intake whose first upload breaks off midway.
#include "tools/cli/resumable_upload.h"

#include <sstream>

#include <grpcpp/grpcpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/blob/blob_store.h"

namespace telederm::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Holds the bytes received like intake does; the first upload "drops" after
// `drop_after` chunks.
class FlakyIntake final : public v1::IntakeService::Service {
 public:
  grpc::Status UploadImage(grpc::ServerContext*, grpc::ServerReader<v1::UploadImageRequest>* reader,
                           v1::UploadImageResponse* response) override {
    absl::MutexLock lock(&mutex_);
    v1::UploadImageRequest request;
    v1::UploadImageHeader header;
    int chunks = 0;
    while (reader->Read(&request)) {
      if (request.has_header()) {
        header = request.header();
        offsets_.push_back(header.offset());
        if (header.offset() != static_cast<int64_t>(held_.size())) {
          return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "wrong offset");
        }
        continue;
      }
      held_ += request.chunk();
      if (++chunks == drop_after_ && ++calls_ == 1) {
        return grpc::Status(grpc::StatusCode::UNAVAILABLE, "Socket closed");
      }
    }
    if (static_cast<int64_t>(held_.size()) != header.size_bytes() || Sha256Hex(held_) != header.sha256()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "damaged");
    }
    response->mutable_image()->set_sha256(header.sha256());
    return grpc::Status::OK;
  }

  grpc::Status GetUploadStatus(grpc::ServerContext*, const v1::GetUploadStatusRequest*,
                               v1::UploadStatus* response) override {
    absl::MutexLock lock(&mutex_);
    response->set_committed_offset(static_cast<int64_t>(held_.size()));
    return grpc::Status::OK;
  }

  grpc::Status SubmitCase(grpc::ServerContext*, const v1::SubmitCaseRequest* request,
                          v1::SubmitCaseResponse* response) override {
    absl::MutexLock lock(&mutex_);
    keys_.push_back(request->idempotency_key());
    if (keys_.size() < 3) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "redis at 127.0.0.1:6379 unavailable");
    response->set_case_id("c-1");
    return grpc::Status::OK;
  }

  absl::Mutex mutex_;
  int drop_after_ = 2;
  int calls_ ABSL_GUARDED_BY(mutex_) = 0;
  std::string held_ ABSL_GUARDED_BY(mutex_);
  std::vector<int64_t> offsets_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::string> keys_ ABSL_GUARDED_BY(mutex_);
};

class ResumableUploadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&intake_);
    server_ = builder.BuildAndStart();
    stub_ = v1::IntakeService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
    image_.path = "naevus.jpg";
    image_.bytes = std::string(100000, 'x');
    for (size_t i = 0; i < image_.bytes.size(); ++i) image_.bytes[i] = static_cast<char>(i % 251);
    image_.sha256 = Sha256Hex(image_.bytes);
    image_.content_type = "image/jpeg";
    identity_.role = CallIdentity::Role::kClinic;
    identity_.id = "clinic-1";
    policy_.first_pause = absl::Milliseconds(10);
  }
  void TearDown() override { server_->Shutdown(std::chrono::system_clock::now()); }

  FlakyIntake intake_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::IntakeService::Stub> stub_;
  ImageFile image_;
  CallIdentity identity_;
  RetryPolicy policy_;
  std::ostringstream progress_;
};

TEST_F(ResumableUploadTest, DroppedUploadResumesFromTheCommittedOffsetAndSendsEachByteOnce) {
  v1::UploadImageResponse response;
  grpc::Status status = UploadResumably(*stub_, identity_, absl::Seconds(10), image_, v1::MODALITY_DERMOSCOPY,
                                        16384, policy_, progress_, response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.image().sha256(), image_.sha256);
  absl::MutexLock lock(&intake_.mutex_);
  EXPECT_THAT(intake_.offsets_, ElementsAre(0, 32768));
  EXPECT_EQ(intake_.held_, image_.bytes);
  EXPECT_THAT(progress_.str(), HasSubstr("upload: resuming naevus.jpg at byte 32768"));
}

TEST_F(ResumableUploadTest, SubmitIsRetriedWithTheSameIdempotencyKeyWhileIntakeIsUnavailable) {
  v1::SubmitCaseRequest request;
  request.set_idempotency_key("cli-abc");
  v1::SubmitCaseResponse response;
  grpc::Status status =
      SubmitWithRetries(*stub_, identity_, absl::Seconds(10), request, policy_, progress_, response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.case_id(), "c-1");
  absl::MutexLock lock(&intake_.mutex_);
  EXPECT_THAT(intake_.keys_, ElementsAre("cli-abc", "cli-abc", "cli-abc"));
}

TEST_F(ResumableUploadTest, RefusalIsNotRetried) {
  ImageFile wrong = image_;
  wrong.sha256 = Sha256Hex("something else");
  intake_.drop_after_ = 1000;
  v1::UploadImageResponse response;
  grpc::Status status = UploadResumably(*stub_, identity_, absl::Seconds(10), wrong, v1::MODALITY_DERMOSCOPY, 16384,
                                        policy_, progress_, response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  absl::MutexLock lock(&intake_.mutex_);
  EXPECT_EQ(intake_.offsets_.size(), 1u);
}

}  // namespace
}  // namespace telederm::cli
