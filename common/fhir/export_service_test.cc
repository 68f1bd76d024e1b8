#include "common/fhir/export_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/caller/caller.h"
#include "common/case_store/case_store.h"
#include "common/case_store/keys.h"
#include "common/fhir/fhir_test_case.h"
#include "common/server/grpc_server.h"
#include "telederm/v1/referral.pb.h"
#include "tests/harness/redis_test.h"

namespace telederm::fhir {
namespace {

class FhirExportServiceTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    service_ = std::make_unique<FhirExportServiceImpl>(redis_, RealClock());
    auto server = GrpcServer::Start("127.0.0.1:0", {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::FhirExportService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
    v1::Case c = ReportedMelanomaCase();
    ASSERT_TRUE(CaseStore(redis_).Create(c).ok());
    ConsultThread thread(redis_);
    for (v1::Message m : QuestionAndAnswer(c.case_id())) ASSERT_TRUE(thread.Append(m).ok());
    case_id_ = c.case_id();
  }

  grpc::Status Export(const std::vector<std::pair<std::string, std::string>>& identity, const std::string& case_id,
                      std::string* json) {
    grpc::ClientContext context;
    for (const auto& [key, value] : identity) context.AddMetadata(key, value);
    v1::ExportCaseFhirRequest request;
    request.set_case_id(case_id);
    v1::ExportCaseFhirResponse response;
    grpc::Status status = stub_->ExportCaseFhir(&context, request, &response);
    *json = response.bundle_json();
    return status;
  }

  std::unique_ptr<FhirExportServiceImpl> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::FhirExportService::Stub> stub_;
  std::string case_id_;
};

TEST_F(FhirExportServiceTest, ClinicExportsItsOwnCaseWithTheConsultThread) {
  std::string text;
  grpc::Status status = Export({{kClinicIdHeader, "clinic-kisumu-03"}}, case_id_, &text);
  ASSERT_TRUE(status.ok()) << status.error_message();
  nlohmann::json bundle = nlohmann::json::parse(text);
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  int communications = 0;
  for (const auto& entry : bundle["entry"]) communications += entry["resource"]["resourceType"] == "Communication";
  EXPECT_EQ(communications, 2);
}

TEST_F(FhirExportServiceTest, AnotherClinicsCaseIsNotFound) {
  std::string text;
  EXPECT_EQ(Export({{kClinicIdHeader, "clinic-other"}}, case_id_, &text).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(text.empty());
}

TEST_F(FhirExportServiceTest, SpecialistOfThePoolExportsOthersDoNot) {
  std::string text;
  EXPECT_TRUE(Export({{kSpecialistIdHeader, "dr-otieno"}, {kPoolsHeader, "general"}}, case_id_, &text).ok());
  EXPECT_EQ(Export({{kSpecialistIdHeader, "dr-otieno"}, {kPoolsHeader, "oncology"}}, case_id_, &text).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // The reporting specialist, whatever pools they work now.
  EXPECT_TRUE(Export({{kSpecialistIdHeader, "dr-achieng"}, {kPoolsHeader, "oncology"}}, case_id_, &text).ok());
}

// The export asks the one access rule (common/access): a supervisor of the
// case's pool exports it, and a stored profile's pools outrank the pools a
// call claims.
TEST_F(FhirExportServiceTest, SupervisorOfThePoolExportsAndAStoredProfileOutranksTheCallsPools) {
  v1::SpecialistProfile supervisor;
  supervisor.set_specialist_id("dr-wanjiru");
  supervisor.add_pools("oncology");
  supervisor.add_supervises("general");
  v1::SpecialistProfile oncologist;
  oncologist.set_specialist_id("dr-kamau");
  oncologist.add_pools("oncology");
  for (const v1::SpecialistProfile& profile : {supervisor, oncologist}) {
    ASSERT_TRUE(redis_->Command({"HSET", keys::kDirectorySpecialists, profile.specialist_id(),
                                 profile.SerializeAsString()}).ok());
  }
  std::string text;
  grpc::Status status = Export({{kSpecialistIdHeader, "dr-wanjiru"}, {kPoolsHeader, "oncology"}}, case_id_, &text);
  EXPECT_TRUE(status.ok()) << status.error_message();
  status = Export({{kSpecialistIdHeader, "dr-kamau"}, {kPoolsHeader, "general"}}, case_id_, &text);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), absl::StrCat("no case ", case_id_));
}

TEST_F(FhirExportServiceTest, MalformedIdIsInvalidAndNoIdentityIsUnauthenticated) {
  std::string text;
  EXPECT_EQ(Export({{kClinicIdHeader, "clinic-kisumu-03"}}, "case-1", &text).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Export({}, case_id_, &text).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Export({{kClinicIdHeader, "clinic-kisumu-03"}}, "c-01HWX5Q3T8S2G6VJ5ZK7N4M9PZ", &text).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace telederm::fhir
