// The fixture the intake tests share: a blob store in a temporary directory,
// the intake service over the test's real Redis (testing::RedisTest) on a
// loopback port, and a stub to it. Tests start the service with the gate and
// options they need; TearDown stops it and removes the blobs.
#ifndef TELEDERM_SERVICES_INTAKE_INTAKE_SERVER_TEST_H_
#define TELEDERM_SERVICES_INTAKE_INTAKE_SERVER_TEST_H_

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/blob/blob_store.h"
#include "common/caller/caller.h"
#include "common/clock/clock.h"
#include "common/server/grpc_server.h"
#include "services/intake/intake_service.h"
#include "tests/harness/files.h"
#include "tests/harness/redis_test.h"
#include "tests/harness/temp_dir.h"

namespace telederm::intake {

class IntakeServerTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    absl::StatusOr<std::string> dir = testing::MakeTempDir("intake-test");
    ASSERT_TRUE(dir.ok()) << dir.status();
    blob_dir_ = *dir;
    blobs_ = *OpenDirectoryBlobStore(blob_dir_);
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::Seconds(1));
    server_.reset();
    service_.reset();
    if (!blob_dir_.empty()) std::filesystem::remove_all(blob_dir_);
  }

  // Starts the service, with `gate` checking uploads.
  void StartIntake(ImageGatePtr gate, IntakeOptions options = {}) {
    service_ = std::make_unique<IntakeServiceImpl>(IntakeDependencies{redis_, blobs_, RealClock(), std::move(gate)},
                                                   options);
    auto server = GrpcServer::Start("127.0.0.1:0", {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::IntakeService::NewStub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                                           grpc::InsecureChannelCredentials()));
  }

  // A call made as `clinic` (the development identity header), within `deadline`.
  static std::unique_ptr<grpc::ClientContext> As(const std::string& clinic,
                                                 std::chrono::seconds deadline = std::chrono::seconds(20)) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata(kClinicIdHeader, clinic);
    context->set_deadline(std::chrono::system_clock::now() + deadline);
    return context;
  }

  // One UploadImage as `clinic`: the header (`declared_sha`, bytes.size(),
  // `offset`), then bytes[offset, end) in 16 KiB chunks, or nothing more when
  // `header_only`.
  grpc::Status Upload(const std::string& clinic, const std::string& bytes, const std::string& declared_sha,
                      v1::UploadImageResponse* response, int64_t offset = 0, bool header_only = false) {
    auto context = As(clinic);
    auto writer = stub_->UploadImage(context.get(), response);
    v1::UploadImageRequest header;
    header.mutable_header()->set_sha256(declared_sha);
    header.mutable_header()->set_size_bytes(static_cast<int64_t>(bytes.size()));
    header.mutable_header()->set_content_type("image/jpeg");
    header.mutable_header()->set_modality(v1::MODALITY_DERMOSCOPY);
    header.mutable_header()->set_offset(offset);
    writer->Write(header);
    for (size_t at = static_cast<size_t>(offset); !header_only && at < bytes.size(); at += 16384) {
      v1::UploadImageRequest chunk;
      chunk.set_chunk(bytes.substr(at, 16384));
      if (!writer->Write(chunk)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  // Uploads the image file at `path` as `clinic`; returns its digest.
  std::string UploadOk(const std::string& clinic, const std::string& path) {
    std::string bytes = testing::ReadFileBytes(path);
    v1::UploadImageResponse response;
    grpc::Status status = Upload(clinic, bytes, Sha256Hex(bytes), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.image().sha256();
  }

  grpc::Status Submit(const std::string& clinic, const v1::CaseSubmission& submission, const std::string& key,
                      v1::SubmitCaseResponse* response) {
    v1::SubmitCaseRequest request;
    *request.mutable_submission() = submission;
    request.set_idempotency_key(key);
    return stub_->SubmitCase(As(clinic).get(), request, response);
  }

  std::string blob_dir_;
  BlobStorePtr blobs_;
  std::unique_ptr<IntakeServiceImpl> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::IntakeService::Stub> stub_;
};

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_INTAKE_SERVER_TEST_H_
