// Issue 6, Redis access: Redis runs with deploy/redis/users.acl (no default
// user) and a requirepass, and each service connects as its own ACL user. A
// whole case goes through (upload, submit, triage, queue, claim, report,
// acknowledgement), so the grants are sufficient; a service user is refused
// what is outside its grant, so they are not too wide. Both transports a
// deployment can choose (TCP, and the Unix socket of a co-located Redis)
// apply the same users.
#include <filesystem>
#include <fstream>
#include <regex>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/redis/client.h"
#include "tests/e2e/api.h"
#include "tests/e2e/stack.h"
#include "tests/harness/temp_dir.h"

namespace telederm::testing {
namespace {

const std::string kNaevus = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0024311.jpg";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class RedisAclStackTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("telederm-acl");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
    // The production users file, with test passwords in place of the placeholders.
    std::string users = ReadAll(std::string(TELEDERM_SOURCE_DIR) + "/deploy/redis/users.acl");
    ASSERT_FALSE(users.empty());
    users = std::regex_replace(users, std::regex("#CHANGE-ME-sha256-of-([a-z]+)-password"), ">$1-test-pw");
    std::ofstream(dir_ + "/users.acl") << users;
    StackOptions options;
    options.redis_args = {"--aclfile", dir_ + "/users.acl", "--requirepass", "default-user-is-off"};
    options.redis_over_unix_socket = GetParam();
    auto as = [&](const std::string& user) {
      std::ofstream(absl::StrCat(dir_, "/", user, ".pw")) << user << "-test-pw\n";
      return std::vector<std::string>{absl::StrCat("--redis_user=", user),
                                      absl::StrCat("--redis_password_file=", dir_, "/", user, ".pw")};
    };
    options.intake_flags = as("intake");
    options.triage_flags = as("triage");
    options.referral_flags = as("referral");
    auto stack = Stack::Start(options);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
  }
  void TearDown() override {
    stack_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::shared_ptr<redis::Client> RedisAs(const std::string& user, const std::string& password) {
    redis::ClientOptions options;
    options.endpoint = *redis::Endpoint::Parse(stack_->redis_address());
    options.username = user;
    options.password = password;
    return redis::Client::Create(options);
  }

  std::string dir_;
  std::unique_ptr<Stack> stack_;
};

TEST_P(RedisAclStackTest, EachServiceAsItsOwnAclUserCarriesACaseToTheReportAndIsRefusedOutsideItsGrant) {
  auto intake = v1::IntakeService::NewStub(
      grpc::CreateChannel(stack_->address(Service::kIntake), grpc::InsecureChannelCredentials()));
  auto referral = v1::ReferralService::NewStub(
      grpc::CreateChannel(stack_->address(Service::kReferral), grpc::InsecureChannelCredentials()));
  const std::string clinic = "clinic-acl";

  auto image = UploadImage(*intake, clinic, ReadFileBytes(kNaevus), v1::MODALITY_DERMOSCOPY);
  ASSERT_TRUE(image.ok()) << image.status();
  v1::SubmitCaseRequest submit;
  *submit.mutable_submission() = QuietTumourSubmission("pt-acl", *image);
  submit.set_idempotency_key("acl-1");
  v1::SubmitCaseResponse submitted;
  grpc::Status s = intake->SubmitCase(AsClinic(clinic).get(), submit, &submitted);
  ASSERT_TRUE(s.ok()) << s.error_message() << stack_->LogTail(Service::kIntake);

  // Triage screens it and referral queues it: both only through their own users.
  v1::ListQueueRequest list;
  v1::ListQueueResponse queue;
  ASSERT_TRUE(WaitUntil(
      [&] {
        queue.Clear();
        return referral->ListQueue(AsSpecialist("dr-acl").get(), list, &queue).ok() && queue.entries_size() == 1;
      },
      absl::Seconds(30)))
      << stack_->LogTail(Service::kTriage) << stack_->LogTail(Service::kReferral);
  EXPECT_EQ(queue.entries(0).case_id(), submitted.case_id());

  v1::ClaimNextResponse claim;
  s = referral->ClaimNext(AsSpecialist("dr-acl").get(), v1::ClaimNextRequest(), &claim);
  ASSERT_TRUE(s.ok()) << s.error_message() << stack_->LogTail(Service::kReferral);
  ASSERT_EQ(claim.case_().case_id(), submitted.case_id());
  v1::SubmitReportRequest report;
  report.set_case_id(submitted.case_id());
  report.set_fencing_token(claim.claim().fencing_token());
  report.mutable_report()->set_diagnosis_text("Benign compound naevus; no dermoscopic features of melanoma");
  report.mutable_report()->set_icd10_code("D22.5");
  report.mutable_report()->set_management(v1::MANAGEMENT_REASSURE);
  v1::SubmitReportResponse reported;
  s = referral->SubmitReport(AsSpecialist("dr-acl").get(), report, &reported);
  ASSERT_TRUE(s.ok()) << s.error_message() << stack_->LogTail(Service::kReferral);

  v1::GetCaseRequest get;
  get.set_case_id(submitted.case_id());
  v1::Case c;
  ASSERT_TRUE(intake->GetCase(AsClinic(clinic).get(), get, &c).ok());
  EXPECT_EQ(c.status(), v1::CASE_STATUS_REPORTED);
  EXPECT_EQ(c.report().icd10_code(), "D22.5");
  v1::AcknowledgeReportRequest ack;
  ack.set_case_id(submitted.case_id());
  v1::AcknowledgeReportResponse acked;
  s = intake->AcknowledgeReport(AsClinic(clinic).get(), ack, &acked);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(acked.case_().status(), v1::CASE_STATUS_CLOSED);
  // The histology, counted for the screening report (screening:{outcomes}:*).
  v1::RecordBiopsyOutcomeRequest biopsy;
  biopsy.set_case_id(submitted.case_id());
  biopsy.mutable_outcome()->set_histology_text("Compound naevus");
  biopsy.mutable_outcome()->set_icd10_code("D22.5");
  v1::RecordBiopsyOutcomeResponse recorded;
  s = referral->RecordBiopsyOutcome(AsSpecialist("dr-acl").get(), biopsy, &recorded);
  ASSERT_TRUE(s.ok()) << s.error_message() << stack_->LogTail(Service::kReferral);

  // Nothing any service did was refused by Redis on the way.
  for (const char* log : {"intake.log", "triage-0.log", "referral-0.log"}) {
    std::string text = ReadAll(absl::StrCat(stack_->data_dir(), "/", log));
    EXPECT_FALSE(absl::StrContains(text, "NOPERM")) << log << ":\n" << text.substr(text.find("NOPERM") > 300 ? text.find("NOPERM") - 300 : 0, 600);
  }

  // Outside the grant: intake may not touch the specialists' queue, nobody may
  // rewrite the audit trail or flush the database, and without a password nothing.
  auto as_intake = RedisAs("intake", "intake-test-pw");
  ASSERT_TRUE(as_intake->Command({"PING"}).ok());
  absl::StatusOr<redis::Reply> queue_write =
      as_intake->Command({"ZADD", "pool:{general}:queue", "1", submitted.case_id()});
  EXPECT_FALSE(queue_write.ok());
  EXPECT_TRUE(absl::StrContains(queue_write.status().message(), "NOPERM")) << queue_write.status();
  absl::StatusOr<redis::Reply> audit_trim = as_intake->Command({"XTRIM", "audit:{log}", "MAXLEN", "0"});
  EXPECT_TRUE(absl::StrContains(audit_trim.status().message(), "NOPERM")) << audit_trim.status();
  absl::StatusOr<redis::Reply> flush = RedisAs("referral", "referral-test-pw")->Command({"FLUSHALL"});
  EXPECT_TRUE(absl::StrContains(flush.status().message(), "NOPERM")) << flush.status();
  EXPECT_FALSE(RedisAs("", "")->Command({"GET", submitted.case_id()}).ok());
  EXPECT_FALSE(RedisAs("triage", "wrong-password")->Command({"PING"}).ok());
}

INSTANTIATE_TEST_SUITE_P(Transports, RedisAclStackTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "OverUnixSocket" : "OverTcpLoopback";
                         });

}  // namespace
}  // namespace telederm::testing
