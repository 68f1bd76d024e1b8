#include <unistd.h>
// The CLI against in-process fakes of the intake and referral services: checks what
// goes over the wire (metadata, upload chunking, idempotency keys) and what is printed.
// The fakes live in this test; nothing outside the process is needed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/caller/caller.h"
#include "telederm/v1/intake.grpc.pb.h"
#include "telederm/v1/referral.grpc.pb.h"
#include "tools/cli/cli.h"

namespace telederm::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Metadata(const grpc::ServerContext& context, const char* key) {
  auto it = context.client_metadata().find(key);
  if (it == context.client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

class FakeIntake final : public v1::IntakeService::Service {
 public:
  grpc::Status UploadImage(grpc::ServerContext* context, grpc::ServerReader<v1::UploadImageRequest>* reader,
                           v1::UploadImageResponse* response) override {
    absl::MutexLock lock(&mutex_);
    clinic_ = Metadata(*context, kClinicIdHeader);
    v1::UploadImageRequest request;
    parts_.clear();
    while (reader->Read(&request)) {
      if (request.has_header()) {
        parts_.push_back("header");
        header_ = request.header();
      } else {
        parts_.push_back(absl::StrCat(request.chunk().size()));
      }
    }
    response->mutable_image()->set_sha256(header_.sha256());
    response->mutable_image()->set_modality(header_.modality());
    response->mutable_image()->set_content_type(header_.content_type());
    response->mutable_image()->set_size_bytes(header_.size_bytes());
    v1::QualityFinding& warning = *response->add_warnings();
    warning.set_code("dark");
    warning.set_message("The image is dark.");
    warning.set_measured(30);
    warning.set_threshold(40);
    return grpc::Status::OK;
  }

  grpc::Status SubmitCase(grpc::ServerContext* context, const v1::SubmitCaseRequest* request,
                          v1::SubmitCaseResponse* response) override {
    absl::MutexLock lock(&mutex_);
    keys_.push_back(request->idempotency_key());
    submission_ = request->submission();
    response->set_case_id("c-1");
    response->set_status(v1::CASE_STATUS_RECEIVED);
    response->set_duplicate(keys_.size() > 1 && keys_.back() == keys_.front());
    return grpc::Status::OK;
  }

  grpc::Status WatchEvents(grpc::ServerContext* context, const v1::WatchEventsRequest* request,
                           grpc::ServerWriter<v1::CaseEvent>* writer) override {
    {
      absl::MutexLock lock(&mutex_);
      watch_after_ = request->after_event_id();
    }
    auto event = [](const char* id, const char* case_id, v1::EventType type, v1::CaseStatus status) {
      v1::CaseEvent e;
      e.set_event_id(id);
      e.set_case_id(case_id);
      e.set_type(type);
      e.set_status(status);
      return e;
    };
    writer->Write(event("1-0", "c-1", v1::EVENT_TYPE_QUEUED, v1::CASE_STATUS_QUEUED));
    v1::CaseEvent other = event("2-0", "c-2", v1::EVENT_TYPE_REPORTED, v1::CASE_STATUS_REPORTED);
    other.mutable_report()->set_diagnosis_text("Seborrhoeic keratosis");
    other.mutable_report()->set_icd10_code("L82");
    other.mutable_report()->set_management(v1::MANAGEMENT_REASSURE);
    writer->Write(other);
    v1::CaseEvent mine = event("3-0", "c-1", v1::EVENT_TYPE_REPORTED, v1::CASE_STATUS_REPORTED);
    mine.mutable_report()->set_diagnosis_text("Melanoma");
    mine.mutable_report()->set_icd10_code("C43.5");
    mine.mutable_report()->set_management(v1::MANAGEMENT_EXCISE);
    writer->Write(mine);
    // Live until the client goes away, as the real service does.
    while (!context->IsCancelled()) absl::SleepFor(absl::Milliseconds(5));
    return grpc::Status::CANCELLED;
  }

  absl::Mutex mutex_;
  std::string clinic_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::string> parts_ ABSL_GUARDED_BY(mutex_);
  v1::UploadImageHeader header_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::string> keys_ ABSL_GUARDED_BY(mutex_);
  v1::CaseSubmission submission_ ABSL_GUARDED_BY(mutex_);
  std::string watch_after_ ABSL_GUARDED_BY(mutex_);
};

class FakeReferral final : public v1::ReferralService::Service {
 public:
  grpc::Status ClaimNext(grpc::ServerContext* context, const v1::ClaimNextRequest* request,
                         v1::ClaimNextResponse* response) override {
    absl::MutexLock lock(&mutex_);
    specialist_ = Metadata(*context, kSpecialistIdHeader);
    pools_ = Metadata(*context, kPoolsHeader);
    if (request->pool() == "empty") return grpc::Status(grpc::StatusCode::NOT_FOUND, "no queued case");
    v1::Case& c = *response->mutable_case_();
    c.set_case_id("c-1");
    c.mutable_submission()->set_type(v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
    c.mutable_submission()->set_clinical_question("Melanoma?");
    response->mutable_claim()->set_fencing_token(7);
    response->mutable_claim()->set_pool("general");
    response->mutable_claim()->mutable_lease_expires_at()->set_seconds(1714557600);
    return grpc::Status::OK;
  }

  absl::Mutex mutex_;
  std::string specialist_ ABSL_GUARDED_BY(mutex_);
  std::string pools_ ABSL_GUARDED_BY(mutex_);
};

class ClientFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&intake_);
    builder.RegisterService(&referral_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    address_ = absl::StrCat("127.0.0.1:", port_);
    // ctest runs each test in its own process, in parallel: one file each.
    image_path_ = absl::StrCat(::testing::TempDir(), "/client_flow_test_image-", ::getpid(), "-",
                               ::testing::UnitTest::GetInstance()->current_test_info()->name(), ".jpg");
    std::ofstream file(image_path_, std::ios::binary);
    std::string bytes(600 * 1024, 'x');
    bytes[0] = '\xFF';
    bytes[1] = '\xD8';
    bytes[2] = '\xFF';
    file << bytes;
  }
  void TearDown() override {
    server_->Shutdown(std::chrono::system_clock::now());
    std::remove(image_path_.c_str());
  }

  int Run(std::vector<std::string> args) {
    std::vector<std::string> full = {"--intake", address_, "--referral", address_, "--deadline", "10s"};
    full.insert(full.end(), args.begin(), args.end());
    out_.str("");
    err_.str("");
    return RunCli(full, [](const char*) { return std::nullopt; }, out_, err_);
  }
  std::vector<std::string> OutLines() const {
    std::vector<std::string> lines;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  FakeIntake intake_;
  FakeReferral referral_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string address_;
  std::string image_path_;
  std::ostringstream out_, err_;
};

TEST_F(ClientFlowTest, UploadSendsHeaderThenQuarterMebibyteChunksAndPrintsWarnings) {
  ASSERT_EQ(Run({"--clinic", "clinic-1", "upload", image_path_, "--modality", "dermoscopy"}), kExitOk)
      << err_.str();
  absl::MutexLock lock(&intake_.mutex_);
  EXPECT_EQ(intake_.clinic_, "clinic-1");
  EXPECT_THAT(intake_.parts_, ElementsAre("header", "262144", "262144", "90112"));
  EXPECT_EQ(intake_.header_.size_bytes(), 600 * 1024);
  EXPECT_EQ(intake_.header_.content_type(), "image/jpeg");
  EXPECT_EQ(intake_.header_.modality(), v1::MODALITY_DERMOSCOPY);
  EXPECT_EQ(intake_.header_.sha256().size(), 64u);
  EXPECT_THAT(OutLines(), ElementsAre(StartsWith("uploaded " + intake_.header_.sha256() +
                                                 " modality=dermoscopy type=image/jpeg size=614400"),
                                      "warning dark: The image is dark. (measured 30, threshold 40)"));
}

TEST_F(ClientFlowTest, RetriedSubmitSendsTheSameIdempotencyKey) {
  std::vector<std::string> submit = {"--clinic", "clinic-1", "submit", "--type", "tumour", "--patient", "P-1",
                                     "--age", "58", "--sex", "female", "--site", "back", "--question",
                                     "Melanoma?", "--consent", "--image", image_path_ + ":dermoscopy:0.02"};
  ASSERT_EQ(Run(submit), kExitOk) << err_.str();
  EXPECT_THAT(OutLines().back(), StartsWith("submitted c-1 status=received duplicate=no idempotency_key=cli-"));
  ASSERT_EQ(Run(submit), kExitOk) << err_.str();
  EXPECT_THAT(OutLines().back(), StartsWith("submitted c-1 status=received duplicate=yes"));
  absl::MutexLock lock(&intake_.mutex_);
  ASSERT_EQ(intake_.keys_.size(), 2u);
  EXPECT_EQ(intake_.keys_[0], intake_.keys_[1]);
  ASSERT_EQ(intake_.submission_.images_size(), 1);
  EXPECT_EQ(intake_.submission_.images(0).sha256(), intake_.header_.sha256());
  EXPECT_DOUBLE_EQ(intake_.submission_.images(0).pixel_size_mm(), 0.02);
}

TEST_F(ClientFlowTest, WatchUntilReportedStopsAtThatCasesReport) {
  ASSERT_EQ(Run({"--clinic", "clinic-1", "watch", "--after", "0-1", "--until-reported", "c-1", "--timeout",
                 "10s"}),
            kExitOk)
      << err_.str();
  EXPECT_THAT(OutLines(),
              ElementsAre("1-0 c-1 queued queued at=-",
                          "2-0 c-2 reported reported at=- diagnosis=\"Seborrhoeic keratosis\" icd10=L82 "
                          "management=reassure",
                          "3-0 c-1 reported reported at=- diagnosis=\"Melanoma\" icd10=C43.5 management=excise"));
  absl::MutexLock lock(&intake_.mutex_);
  EXPECT_EQ(intake_.watch_after_, "0-1");
}

TEST_F(ClientFlowTest, WatchUntilReportedTimesOutWithExitOne) {
  ASSERT_EQ(Run({"--clinic", "clinic-1", "watch", "--until-reported", "c-9", "--timeout", "300ms"}),
            kExitFailure);
  EXPECT_EQ(err_.str(), "error: DEADLINE_EXCEEDED: no report for case c-9 arrived within 300ms\n");
}

TEST_F(ClientFlowTest, ClaimSendsSpecialistAndPoolsAndPrintsTheClaimFirst) {
  ASSERT_EQ(Run({"--specialist", "dr-lee", "--pools", "general,paediatric", "claim"}), kExitOk) << err_.str();
  std::vector<std::string> lines = OutLines();
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "claimed c-1 token=7 lease_expires=2024-05-01T10:00:00Z pool=general");
  EXPECT_THAT(lines, ::testing::Contains("question: Melanoma?"));
  absl::MutexLock lock(&referral_.mutex_);
  EXPECT_EQ(referral_.specialist_, "dr-lee");
  EXPECT_EQ(referral_.pools_, "general,paediatric");
}

TEST_F(ClientFlowTest, EmptyQueueIsTheServicesNotFound) {
  EXPECT_EQ(Run({"--specialist", "dr-lee", "claim", "--pool", "empty"}), kExitFailure);
  EXPECT_EQ(err_.str(), "error: NOT_FOUND: no queued case\n");
}

}  // namespace
}  // namespace telederm::cli
