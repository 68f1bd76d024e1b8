// The bounded, time-limited decoding step of the quality gate, through the
// real UploadImage RPC with real images, a real blob store and real Redis.
#include "services/intake/quality_gate.h"

#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "services/intake/intake_server_test.h"
#include "tests/harness/files.h"

namespace telederm::intake {
namespace {

const std::string kNaevus = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0024311.jpg";

// A real dermoscopy photo enlarged to 6000x4500 (27 MP) and encoded as a
// camera JPEG: within the pixel and size limits, but slow to decode.
std::string LargeRealJpeg() {
  std::string small = testing::ReadFileBytes(kNaevus);
  cv::Mat decoded = cv::imdecode(cv::Mat(1, static_cast<int>(small.size()), CV_8U, small.data()), cv::IMREAD_COLOR);
  cv::Mat large;
  cv::resize(decoded, large, cv::Size(6000, 4500), 0, 0, cv::INTER_CUBIC);
  std::vector<uchar> encoded;
  cv::imencode(".jpg", large, encoded, {cv::IMWRITE_JPEG_QUALITY, 92});
  return std::string(encoded.begin(), encoded.end());
}

class QualityGateTest : public IntakeServerTest {
 protected:
  grpc::Status Upload(const std::string& bytes, v1::UploadImageResponse* response) {
    auto context = As("clinic-gate", std::chrono::seconds(60));
    auto writer = stub_->UploadImage(context.get(), response);
    v1::UploadImageRequest header;
    header.mutable_header()->set_sha256(Sha256Hex(bytes));
    header.mutable_header()->set_size_bytes(static_cast<int64_t>(bytes.size()));
    header.mutable_header()->set_content_type("image/jpeg");
    header.mutable_header()->set_modality(v1::MODALITY_DERMOSCOPY);
    writer->Write(header);
    for (size_t offset = 0; offset < bytes.size(); offset += 1 << 20) {
      v1::UploadImageRequest chunk;
      chunk.set_chunk(bytes.substr(offset, 1 << 20));
      if (!writer->Write(chunk)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

};

TEST_F(QualityGateTest, ImageNotDecodedWithinTheTimeLimitIsRefusedWithAdviceAndNotStored) {
  QualityGateOptions options;
  // No decode finishes within 1 us; the wait for the idle checker is bounded
  // apart, generously, so that a loaded machine cannot turn this into "busy".
  options.bounds = {
      .threads = 1, .max_queued = 2, .time_limit = absl::Microseconds(1), .queue_wait = absl::Minutes(2)};
  StartIntake(NewQualityGate(options));
  const std::string large = LargeRealJpeg();
  v1::UploadImageResponse response;
  grpc::Status status = Upload(large, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "could not be checked within")) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "JPEG")) << status.error_message();
  EXPECT_FALSE(blobs_->Get(Sha256Hex(large))->has_value());
}

TEST_F(QualityGateTest, SameLargeImageWithinAGenerousLimitIsStored) {
  QualityGateOptions options;
  options.bounds = {.threads = 1, .max_queued = 2, .time_limit = absl::Minutes(2)};
  StartIntake(NewQualityGate(options));
  const std::string large = LargeRealJpeg();
  v1::UploadImageResponse response;
  grpc::Status status = Upload(large, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(blobs_->Get(Sha256Hex(large))->has_value());
}

TEST_F(QualityGateTest, BusyCheckerAnswersResourceExhaustedWithARetryHintAndTheRetrySucceeds) {
  auto decoder = std::make_shared<imaging::BoundedDecoder>(
      imaging::BoundedDecoderOptions{.threads = 1, .max_queued = 0, .time_limit = absl::Minutes(2)});
  StartIntake(NewQualityGate({}, decoder));
  // Another image holds the only checker.
  absl::Notification running, release;
  std::thread other([&] {
    // Refused only until the checker's thread has reached its wait for work.
    while (absl::IsResourceExhausted(decoder->Run([&] {
      running.Notify();
      release.WaitForNotification();
    }))) {
      absl::SleepFor(absl::Milliseconds(1));
    }
  });
  running.WaitForNotification();

  const std::string photo = testing::ReadFileBytes(kNaevus);
  v1::UploadImageResponse response;
  grpc::Status busy = Upload(photo, &response);
  EXPECT_EQ(busy.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << busy.error_message();
  EXPECT_TRUE(absl::StrContains(busy.error_message(), "send the image again in")) << busy.error_message();

  release.Notify();
  other.join();
  v1::UploadImageResponse retried;
  grpc::Status ok = Upload(photo, &retried);
  EXPECT_TRUE(ok.ok()) << ok.error_message();
  EXPECT_EQ(retried.image().sha256(), Sha256Hex(photo));
}

TEST_F(QualityGateTest, ImageOverTheConfiguredPixelLimitIsRefusedBeforeDecoding) {
  QualityGateOptions options;
  options.decode.max_pixels = 20'000'000;
  StartIntake(NewQualityGate(options));
  const std::string large = LargeRealJpeg();  // 27 MP
  v1::UploadImageResponse response;
  grpc::Status status = Upload(large, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "above the limit of 20 megapixels")) << status.error_message();
  EXPECT_FALSE(blobs_->Get(Sha256Hex(large))->has_value());
}

}  // namespace
}  // namespace telederm::intake
