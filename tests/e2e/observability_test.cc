// Metrics, health, JSON logs and the FHIR export of the real service binaries:
// one case goes through the stack, then each service's /metrics is scraped.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/metrics/http_get.h"
#include "telederm/v1/fhir.grpc.pb.h"
#include "tests/e2e/api.h"
#include "tests/e2e/credentials.h"
#include "tests/e2e/stack.h"
#include "tests/harness/net.h"

namespace telederm::testing {
namespace {

const std::string kMelanoma = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0025248.jpg";  // URGENT by rules and lesion model

std::string Scrape(int port, const std::string& path = "/metrics") {
  absl::StatusOr<std::string> body = metrics::HttpGet("127.0.0.1", port, path);
  EXPECT_TRUE(body.ok()) << body.status();
  return body.value_or("");
}

TEST(ObservabilityE2eTest, EveryServiceServesMetricsHealthAndJsonLogsAndIntakeExportsFhir) {
  const int intake_metrics = FreeLoopbackPort();
  const int triage_metrics = FreeLoopbackPort();
  const int referral_metrics = FreeLoopbackPort();
  StackOptions options;
  options.intake_flags = {absl::StrCat("--metrics_listen=127.0.0.1:", intake_metrics), "--log_format=json"};
  options.triage_flags = {absl::StrCat("--metrics_listen=127.0.0.1:", triage_metrics), "--log_format=json"};
  options.referral_flags = {absl::StrCat("--metrics_listen=127.0.0.1:", referral_metrics)};
  auto stack = Stack::Start(options);
  ASSERT_TRUE(stack.ok()) << stack.status();
  auto channel = grpc::CreateChannel((*stack)->address(Service::kIntake), grpc::InsecureChannelCredentials());
  auto intake = v1::IntakeService::NewStub(channel);

  const std::string clinic = "clinic-metrics-1";
  auto image = UploadImage(*intake, clinic, ReadFileBytes(kMelanoma), v1::MODALITY_DERMOSCOPY);
  ASSERT_TRUE(image.ok()) << image.status();
  v1::SubmitCaseRequest request;
  *request.mutable_submission() = QuietTumourSubmission("pt-metrics", *image);
  v1::SubmitCaseResponse submitted;
  ASSERT_TRUE(intake->SubmitCase(AsClinic(clinic).get(), request, &submitted).ok());
  const std::string case_id = submitted.case_id();
  v1::GetCaseRequest get;
  get.set_case_id(case_id);
  v1::GetCaseRequest missing;
  missing.set_case_id("c-01HWX5Q3T8S2G6VJ5ZK7N4M9PZ");
  v1::Case c;
  EXPECT_EQ(intake->GetCase(AsClinic(clinic).get(), missing, &c).error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(WaitUntil(
      [&] {
        return intake->GetCase(AsClinic(clinic).get(), get, &c).ok() && c.status() == v1::CASE_STATUS_QUEUED;
      },
      absl::Seconds(30)))
      << (*stack)->LogTail(Service::kTriage);

  // intake: RPCs by method and code, with latency histograms.
  std::string text = Scrape(intake_metrics);
  EXPECT_TRUE(absl::StrContains(
      text, "telederm_rpc_requests_total{code=\"OK\",method=\"SubmitCase\",service=\"telederm.v1.IntakeService\"} 1"))
      << text;
  EXPECT_TRUE(absl::StrContains(
      text, "telederm_rpc_requests_total{code=\"NOT_FOUND\",method=\"GetCase\",service=\"telederm.v1.IntakeService\"} 1"))
      << text;
  EXPECT_TRUE(absl::StrContains(
      text, "telederm_rpc_duration_seconds_count{code=\"OK\",method=\"UploadImage\",service=\"telederm.v1.IntakeService\"} 1"))
      << text;

  // triage: how long screening took, and the lag of its group (all delivered).
  text = Scrape(triage_metrics);
  EXPECT_TRUE(absl::StrContains(text, "telederm_triage_duration_seconds_count{outcome=\"ok\"} 1")) << text;
  EXPECT_TRUE(absl::StrContains(text, "telederm_stream_lag{group=\"triage\",stream=\"stream:intake\"} 0")) << text;
  EXPECT_TRUE(absl::StrContains(text, "telederm_stream_pending{group=\"triage\",stream=\"stream:intake\"} 0")) << text;
  EXPECT_TRUE(absl::StrContains(text, "telederm_redis_scrape_ok 1")) << text;

  // referral: the queue per pool and tier, the stream it consumes, dead letters.
  text = Scrape(referral_metrics);
  EXPECT_TRUE(absl::StrContains(text, "telederm_queue_depth{pool=\"general\",tier=\"urgent\"} 1")) << text;
  EXPECT_TRUE(absl::StrContains(text, "telederm_queue_depth{pool=\"general\",tier=\"routine\"} 0")) << text;
  EXPECT_TRUE(absl::StrContains(text, "telederm_queue_overdue{pool=\"general\"} 0")) << text;
  EXPECT_TRUE(absl::StrContains(text, "telederm_queue_oldest_due_timestamp_seconds{pool=\"general\"}")) << text;
  EXPECT_TRUE(absl::StrContains(text, "telederm_stream_lag{group=\"referral\",stream=\"stream:triaged\"} 0")) << text;
  EXPECT_TRUE(absl::StrContains(text, "telederm_dead_letters{stream=\"stream:triaged\"} 0")) << text;
  EXPECT_TRUE(absl::StrContains(text, "telederm_referral_placement_duration_seconds_count{outcome=\"ok\"} 1")) << text;

  for (int port : {intake_metrics, triage_metrics, referral_metrics}) EXPECT_EQ(Scrape(port, "/healthz"), "SERVING\n");

  // JSON logs carry the case id.
  bool logged = false;
  const std::string tail = (*stack)->LogTail(Service::kTriage);
  for (absl::string_view view : absl::StrSplit(tail, '\n')) {
    const std::string line(view);
    if (!absl::StartsWith(line, "{")) continue;
    nlohmann::json object = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(object.is_discarded()) << line;
    logged = logged || (object.value("case_id", "") == case_id && object["component"] == "triage");
  }
  EXPECT_TRUE(logged) << (*stack)->LogTail(Service::kTriage);

  // FHIR from intake, for the clinic that owns the case.
  auto fhir = v1::FhirExportService::NewStub(channel);
  v1::ExportCaseFhirRequest export_request;
  export_request.set_case_id(case_id);
  v1::ExportCaseFhirResponse exported;
  grpc::Status status = fhir->ExportCaseFhir(AsClinic(clinic).get(), export_request, &exported);
  ASSERT_TRUE(status.ok()) << status.error_message();
  nlohmann::json bundle = nlohmann::json::parse(exported.bundle_json());
  std::map<std::string, nlohmann::json> by_type;
  for (const auto& entry : bundle["entry"]) by_type[entry["resource"]["resourceType"]] = entry["resource"];
  EXPECT_EQ(by_type["ServiceRequest"]["priority"], "asap");
  EXPECT_EQ(by_type["Task"]["status"], "ready");
  EXPECT_EQ(by_type["Media"]["content"]["size"], image->size_bytes());
  EXPECT_FALSE(by_type["Observation"]["method"]["coding"][0]["version"].get<std::string>().empty());
  EXPECT_EQ(fhir->ExportCaseFhir(AsClinic("clinic-other").get(), export_request, &exported).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // The same through the CLI: `telederm fhir CASE_ID`, as the clinic.
  const std::string cli = absl::StrCat(TELEDERM_CLI_BIN, " --intake ", (*stack)->address(Service::kIntake),
                                       " --clinic ", clinic, " --auth-token ",
                                       TestToken(auth::Role::kClinic, "device-of-" + clinic, clinic), " fhir ", case_id);
  std::string printed;
  FILE* pipe = popen(cli.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) printed.append(buffer, n);
  EXPECT_EQ(pclose(pipe), 0) << printed;
  nlohmann::json from_cli = nlohmann::json::parse(printed, nullptr, false);
  ASSERT_FALSE(from_cli.is_discarded()) << printed;
  EXPECT_EQ(from_cli["entry"].size(), bundle["entry"].size());
}

}  // namespace
}  // namespace telederm::testing
