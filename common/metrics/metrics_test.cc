#include <atomic>
#include <memory>
#include <string>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/case_store/keys.h"
#include "common/metrics/http_get.h"
#include "common/metrics/observability.h"
#include "common/stream_worker/dead_letters.h"
#include "telederm/v1/intake.grpc.pb.h"
#include "tests/harness/redis_test.h"

namespace telederm::metrics {
namespace {

// GetCase answers NOT_FOUND; every other method is UNIMPLEMENTED.
class NoCases final : public v1::IntakeService::CallbackService {
  grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* context, const v1::GetCaseRequest*,
                                    v1::Case*) override {
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "no such case"));
    return reactor;
  }
};

std::string Scrape(int port) {
  absl::StatusOr<std::string> body = HttpGet("127.0.0.1", port, "/metrics");
  EXPECT_TRUE(body.ok()) << body.status();
  return body.value_or("");
}

TEST(ObservabilityTest, EndpointServesRpcCountsAndLatenciesByMethodAndCode) {
  auto observability = Observability::Start("127.0.0.1:0");
  ASSERT_TRUE(observability.ok()) << observability.status();
  ASSERT_GT((*observability)->port(), 0);

  NoCases service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back((*observability)->NewRpcInterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);

  auto stub = v1::IntakeService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext context;
    v1::Case c;
    EXPECT_EQ(stub->GetCase(&context, v1::GetCaseRequest(), &c).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  grpc::ClientContext context;
  v1::ListCasesResponse cases;
  EXPECT_EQ(stub->ListCases(&context, v1::ListCasesRequest(), &cases).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);

  const std::string text = Scrape((*observability)->port());
  EXPECT_TRUE(absl::StrContains(
      text, "telederm_rpc_requests_total{code=\"NOT_FOUND\",method=\"GetCase\",service=\"telederm.v1.IntakeService\"} 2"))
      << text;
  EXPECT_TRUE(absl::StrContains(
      text, "telederm_rpc_requests_total{code=\"UNIMPLEMENTED\",method=\"ListCases\",service=\"telederm.v1.IntakeService\"} 1"))
      << text;
  EXPECT_TRUE(absl::StrContains(
      text,
      "telederm_rpc_duration_seconds_count{code=\"NOT_FOUND\",method=\"GetCase\",service=\"telederm.v1.IntakeService\"} 2"))
      << text;
  EXPECT_TRUE(absl::StrContains(text, "# TYPE telederm_rpc_duration_seconds histogram")) << text;
  server->Shutdown();
}

TEST(ObservabilityTest, HealthzFollowsTheServingState) {
  auto observability = Observability::Start("127.0.0.1:0");
  ASSERT_TRUE(observability.ok()) << observability.status();
  const int port = (*observability)->port();
  std::atomic<bool> serving{false};
  (*observability)->ReportHealth([&serving] { return serving.load(); });
  absl::StatusOr<std::string> not_yet = HttpGet("127.0.0.1", port, "/healthz");
  EXPECT_EQ(not_yet.status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StrContains(not_yet.status().message(), "503")) << not_yet.status();
  serving = true;
  absl::StatusOr<std::string> ready = HttpGet("127.0.0.1", port, "/healthz");
  ASSERT_TRUE(ready.ok()) << ready.status();
  EXPECT_EQ(*ready, "SERVING\n");
  (*observability)->ReportHealth([] { return false; });
}

TEST(ObservabilityTest, PortInUseIsUnavailable) {
  auto first = Observability::Start("127.0.0.1:0");
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = Observability::Start(absl::StrCat("127.0.0.1:", (*first)->port()));
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

TEST(ObservabilityTest, NoEndpointWithoutAnAddress) {
  auto observability = Observability::Start("");
  ASSERT_TRUE(observability.ok());
  EXPECT_EQ((*observability)->port(), 0);
}

TEST(ObservabilityTest, TimedStreamHandlerObservesEachOutcome) {
  auto observability = Observability::Start("");
  ASSERT_TRUE(observability.ok());
  int calls = 0;
  StreamHandler timed = (*observability)->Timed("telederm_test_handler_seconds", "test",
                                                [&calls](const redis::StreamEntry&) {
                                                  return ++calls == 1 ? absl::OkStatus()
                                                                      : absl::UnavailableError("redis away");
                                                });
  redis::StreamEntry entry{"1-0", {{"case_id", "c-01HZY3J5Q8W2X7V4K9M6N0P1R2"}}};
  EXPECT_TRUE(timed(entry).ok());
  EXPECT_EQ(timed(entry).code(), absl::StatusCode::kUnavailable);
  std::map<std::string, uint64_t> counts;
  for (const prometheus::MetricFamily& family : (*observability)->registry().Collect()) {
    if (family.name != "telederm_test_handler_seconds") continue;
    for (const auto& metric : family.metric) counts[metric.label.at(0).value] = metric.histogram.sample_count;
  }
  EXPECT_EQ(counts["ok"], 1u);
  EXPECT_EQ(counts["error"], 1u);
}

class PipelineGaugesTest : public testing::RedisTest {
 protected:
  // family name -> "label=value,..." -> value
  std::map<std::string, std::map<std::string, double>> Collect(const PipelineGaugeOptions& options) {
    PipelineGauges gauges(redis_, clock_, options);
    std::map<std::string, std::map<std::string, double>> values;
    for (const prometheus::MetricFamily& family : gauges.Collect()) {
      for (const auto& metric : family.metric) {
        std::string labels;
        for (const auto& label : metric.label) absl::StrAppend(&labels, labels.empty() ? "" : ",", label.name, "=", label.value);
        values[family.name][labels] = metric.gauge.value;
      }
    }
    return values;
  }
  void Run(const std::vector<std::string>& argv) {
    absl::StatusOr<redis::Reply> reply = redis_->Command(argv);
    ASSERT_TRUE(reply.ok()) << reply.status();
  }

  std::shared_ptr<SimulatedClock> clock_ = std::make_shared<SimulatedClock>(absl::FromUnixSeconds(1700000000));
};

TEST_F(PipelineGaugesTest, StreamLagPendingAndDeadLettersPerGroup) {
  for (int i = 0; i < 3; ++i) Run({"XADD", keys::kIntakeStream, "*", "case_id", absl::StrCat("c-", i)});
  Run({"XGROUP", "CREATE", keys::kIntakeStream, keys::kTriageGroup, "0"});
  Run({"XREADGROUP", "GROUP", keys::kTriageGroup, "triage-1", "COUNT", "1", "STREAMS", keys::kIntakeStream, ">"});
  Run({"XADD", DeadLetterStream(keys::kIntakeStream), "*", "case_id", "c-9"});

  auto values = Collect({.streams = {keys::kIntakeStream, keys::kTriagedStream}});
  EXPECT_EQ(values["telederm_redis_scrape_ok"][""], 1);
  EXPECT_EQ(values["telederm_stream_length"]["stream=stream:intake"], 3);
  EXPECT_EQ(values["telederm_stream_lag"]["group=triage,stream=stream:intake"], 2);
  EXPECT_EQ(values["telederm_stream_pending"]["group=triage,stream=stream:intake"], 1);
  EXPECT_EQ(values["telederm_dead_letters"]["stream=stream:intake"], 1);
  // stream:triaged does not exist yet: length 0, no groups.
  EXPECT_EQ(values["telederm_stream_length"]["stream=stream:triaged"], 0);
  EXPECT_FALSE(values["telederm_stream_lag"].contains("group=referral,stream=stream:triaged"));
}

TEST_F(PipelineGaugesTest, QueueDepthPerPoolAndTierOldestDueAndOverdue) {
  const int64_t now_ms = absl::ToUnixMillis(clock_->Now());
  Run({"SADD", keys::kPools, "general", "oncology"});
  // Two urgent cases (one overdue), one routine, in general; oncology empty.
  Run({"ZADD", keys::PoolQueue("general"), absl::StrCat(now_ms - 60000), "c-a", absl::StrCat(now_ms + 3600000), "c-b",
       absl::StrCat(now_ms + 86400000), "c-c"});
  Run({"HSET", keys::PoolCaseMeta("general"), "c-a", "clinic-1 1", "c-b", "clinic-2 1", "c-c", "clinic-1 3"});
  Run({"ZADD", keys::PoolLeases("general"), absl::StrCat(now_ms + 900000), "c-d"});

  auto values = Collect({.queues = true});
  EXPECT_EQ(values["telederm_queue_depth"]["pool=general,tier=urgent"], 2);
  EXPECT_EQ(values["telederm_queue_depth"]["pool=general,tier=soon"], 0);
  EXPECT_EQ(values["telederm_queue_depth"]["pool=general,tier=routine"], 1);
  EXPECT_FALSE(values["telederm_queue_depth"].contains("pool=general,tier=unspecified"));
  EXPECT_EQ(values["telederm_queue_oldest_due_timestamp_seconds"]["pool=general"], (now_ms - 60000) / 1000.0);
  EXPECT_EQ(values["telederm_queue_overdue"]["pool=general"], 1);
  EXPECT_EQ(values["telederm_claims_active"]["pool=general"], 1);
  EXPECT_EQ(values["telederm_queue_depth"]["pool=oncology,tier=urgent"], 0);
  EXPECT_FALSE(values["telederm_queue_oldest_due_timestamp_seconds"].contains("pool=oncology"));
}

// A scrape's work in Redis must not grow with the queue: only the earliest-due
// cases are counted by tier, the rest are reported as not counted, and depth,
// oldest and overdue stay exact.
TEST_F(PipelineGaugesTest, LongQueueCountsOnlyTheEarliestDueByTierAndTheRestAsNotCounted) {
  const int64_t now_ms = absl::ToUnixMillis(clock_->Now());
  Run({"SADD", keys::kPools, "general"});
  // Earliest first: urgent (overdue), urgent, routine (overdue), then two soon and one urgent due later.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"c-1", "clinic-1 1"}, {"c-2", "clinic-2 1"}, {"c-3", "clinic-1 3"},
      {"c-4", "clinic-3 2"}, {"c-5", "clinic-1 2"}, {"c-6", "clinic-2 1"}};
  const std::vector<int64_t> due = {now_ms - 120000, now_ms + 1000, now_ms - 1000, now_ms + 5000, now_ms + 6000,
                                    now_ms + 7000};
  for (size_t i = 0; i < cases.size(); ++i) {
    Run({"ZADD", keys::PoolQueue("general"), absl::StrCat(due[i]), cases[i].first});
    Run({"HSET", keys::PoolCaseMeta("general"), cases[i].first, cases[i].second});
  }

  auto values = Collect({.queues = true, .tier_count_limit = 3});
  // The 3 earliest due: c-1 (urgent), c-3 (routine), c-2 (urgent).
  EXPECT_EQ(values["telederm_queue_depth"]["pool=general,tier=urgent"], 2);
  EXPECT_EQ(values["telederm_queue_depth"]["pool=general,tier=routine"], 1);
  EXPECT_EQ(values["telederm_queue_depth"]["pool=general,tier=soon"], 0);
  EXPECT_EQ(values["telederm_queue_depth"]["pool=general,tier=not_counted"], 3);
  EXPECT_EQ(values["telederm_queue_overdue"]["pool=general"], 2);
  EXPECT_EQ(values["telederm_queue_oldest_due_timestamp_seconds"]["pool=general"], (now_ms - 120000) / 1000.0);

  // With room for every case, every tier is exact and nothing is left uncounted.
  values = Collect({.queues = true});
  EXPECT_EQ(values["telederm_queue_depth"]["pool=general,tier=urgent"], 3);
  EXPECT_EQ(values["telederm_queue_depth"]["pool=general,tier=soon"], 2);
  EXPECT_EQ(values["telederm_queue_depth"]["pool=general,tier=routine"], 1);
  EXPECT_FALSE(values["telederm_queue_depth"].contains("pool=general,tier=not_counted"));
}

TEST_F(PipelineGaugesTest, RedisDownReportsScrapeNotOk) {
  redis::ClientOptions options;
  options.endpoint.port = 1;  // nothing listens there
  PipelineGauges gauges(redis::Client::Create(options), clock_, {.streams = {keys::kIntakeStream}, .queues = true});
  std::vector<prometheus::MetricFamily> families = gauges.Collect();
  ASSERT_EQ(families.size(), 1u);
  EXPECT_EQ(families[0].name, "telederm_redis_scrape_ok");
  EXPECT_EQ(families[0].metric.at(0).gauge.value, 0);
}

}  // namespace
}  // namespace telederm::metrics
