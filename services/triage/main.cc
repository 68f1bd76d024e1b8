// telederm-triage: pre-screens cases from stream:intake and hands them to
// referral. Reads configuration and starts things; the logic lives in
// telederm::triage.
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "common/auth/server_security.h"
#include "common/config/server_config.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"
#include "common/logging/log.h"
#include "common/metrics/observability.h"
#include "common/redis/client.h"
#include "common/server/grpc_server.h"
#include "common/stream_worker/dead_letter_service.h"
#include "common/stream_worker/stream_worker.h"
#include "services/triage/lesion_image_analyzer.h"
#include "services/triage/skipped_image_analyzer.h"
#include "services/triage/intake_stream_handler.h"
#include "services/triage/triage_service.h"

ABSL_FLAG(absl::Duration, analysis_timeout, absl::Seconds(10), "longest image analysis before the case goes to a human");
ABSL_FLAG(absl::Duration, reclaim_idle, absl::Seconds(30), "pending entries idle this long are taken over from dead consumers");
ABSL_FLAG(std::string, model, "",
          "ONNX lesion model (env TELEDERM_MODEL; default: the shipped models/lesion-dermoscopy.onnx; none: rules "
          "only)");
ABSL_FLAG(bool, skip_image_analysis, false,
          "BENCHMARKS ONLY: analyse no image; every tumour case goes to a specialist NOT SCREENED and URGENT");
ABSL_FLAG(std::string, model_sidecar, "", "the classifier's sidecar file (default: MODEL.sidecar)");
ABSL_FLAG(absl::Duration, shutdown_deadline, absl::Seconds(20),
          "on SIGTERM: finish and ack the case in hand, then exit within this");
ABSL_FLAG(int32_t, max_queued_calls, 64, "gRPC calls in hand at once; beyond it RESOURCE_EXHAUSTED with a retry hint");
ABSL_FLAG(int32_t, stream_batch, 16,
          "stream:intake entries read and stored together when images are not analysed (1..1000; with image "
          "analysis always 1)");
ABSL_FLAG(int32_t, max_deliveries, 5,
          "a case whose screening failed this many times goes to a human unscreened (dead letter); 0: never");

int main(int argc, char** argv) {
  using namespace telederm;
  absl::SetProgramUsageMessage("telederm-triage: pre-screens cases and orders the specialist queue");
  absl::ParseCommandLine(argc, argv);
  SetLogComponent("triage");
  ServerConfig config = ResolveServerConfig("127.0.0.1:50052");
  auto observability = metrics::Observability::StartFromFlags("127.0.0.1:9092");  // docs/OBSERVABILITY.md
  if (!observability.ok()) {
    LogError(std::string(observability.status().message()));
    return 2;
  }

  auto fail = [](const absl::Status& status) {
    LogError(std::string(status.message()));
    return 2;
  };
  const absl::Duration timeout = absl::GetFlag(FLAGS_analysis_timeout);
  const absl::Duration reclaim_idle = absl::GetFlag(FLAGS_reclaim_idle);
  if (timeout <= absl::ZeroDuration() || reclaim_idle <= absl::ZeroDuration()) {
    return fail(absl::InvalidArgumentError("--analysis_timeout and --reclaim_idle must be positive"));
  }
  if (const int batch = absl::GetFlag(FLAGS_stream_batch); batch < 1 || batch > 1000) {
    return fail(absl::InvalidArgumentError(absl::StrCat("--stream_batch=", batch, " must be between 1 and 1000")));
  }
  absl::StatusOr<redis::Endpoint> endpoint = redis::Endpoint::Parse(config.redis);
  if (!endpoint.ok()) return fail(endpoint.status());
  absl::StatusOr<BlobStorePtr> blobs = OpenDirectoryBlobStore(config.data_dir + "/blobs");
  if (!blobs.ok()) return fail(blobs.status());

  imaging::AnalyzerOptions analyzer_options;
  triage::SelectModel(FlagOrEnv(absl::GetFlag(FLAGS_model), "TELEDERM_MODEL", ""), absl::GetFlag(FLAGS_model_sidecar),
                      analyzer_options);
  absl::StatusOr<triage::AnalyzerPtr> analyzer = triage::NewLesionImageAnalyzer(analyzer_options);
  if (!analyzer.ok()) return fail(analyzer.status());
  if (absl::GetFlag(FLAGS_skip_image_analysis)) {
    LogWarning("--skip_image_analysis: benchmark mode, every tumour case is queued NOT SCREENED as URGENT");
    analyzer = triage::NewSkippedImageAnalyzer();
  }

  redis::ClientOptions redis_options;
  redis_options.endpoint = *endpoint;
  redis_options.username = config.redis_user;
  redis_options.password = config.redis_password;
  std::shared_ptr<redis::Client> redis = redis::Client::Create(redis_options);
  // TLS and bearer tokens (docs/SECURITY.md); refuses to start without them.
  absl::StatusOr<ServerSecurity> security =
      auth::MakeServerSecurity(auth::SecurityOptionsFromFlags(), redis, RealClock(), &(*observability)->registry());
  if (!security.ok()) {
    LogError(std::string(security.status().message()));
    return 2;
  }
  security->interceptors.push_back((*observability)->NewRpcInterceptorFactory());
  (*observability)->AddPipelineGauges(redis, RealClock(), {.streams = {keys::kIntakeStream}});
  triage::ScreeningOptions screening;
  screening.analysis_timeout = timeout;
  auto screener = std::make_shared<const triage::Screener>(*analyzer, *blobs, screening);
  auto handler = std::make_shared<triage::IntakeStreamHandler>(redis, screener, RealClock());

  StreamWorkerOptions worker_options;
  // A batch shares Redis round trips, which is nearly all a case costs when
  // its images are not analysed. With analysis each case costs tens of
  // milliseconds of it, and a case is stored only once its whole batch is
  // screened: a suspected melanoma early in a batch would wait for the other
  // cases' analyses. So an analysing triage takes one case at a time.
  worker_options.batch = (*analyzer)->ReadsImages() ? 1 : absl::GetFlag(FLAGS_stream_batch);
  worker_options.reclaim_idle = reclaim_idle;
  worker_options.dead_letters.max_deliveries = absl::GetFlag(FLAGS_max_deliveries);
  worker_options.dead_letters.on_dead_letter = [handler](const redis::StreamEntry& entry, const std::string& error) {
    return handler->HandOverUnscreened(entry, error);
  };
  const absl::Duration shutdown_deadline = absl::GetFlag(FLAGS_shutdown_deadline);
  StreamWorker worker(std::make_unique<redis::StreamConsumer>(redis, keys::kIntakeStream, keys::kTriageGroup,
                                                              NewConsumerName("triage")),
                      metrics::TimedBatchHandler((*observability)->registry(), "telederm_triage_duration_seconds",
                                        "Screening one case, images included (the time of its batch)",
                                        [handler](const std::vector<redis::StreamEntry>& entries) {
                                          return handler->HandleBatch(entries);
                                        }),
                      worker_options);
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  worker.Start(io);
  std::thread background([&io] { io.run(); });

  const int max_queued_calls = absl::GetFlag(FLAGS_max_queued_calls);
  if (max_queued_calls < 1) {
    worker.Stop();
    work.reset();
    io.stop();
    background.join();
    return fail(absl::InvalidArgumentError("--max_queued_calls must be at least 1"));
  }
  triage::TriageServiceImpl service(redis, screener, /*threads=*/4, max_queued_calls);
  DeadLetterServiceImpl dead_letters(redis, {keys::kIntakeStream, keys::kTriagedStream});
  absl::StatusOr<std::unique_ptr<GrpcServer>> server = GrpcServer::Start(config.listen, {&service, &dead_letters}, *std::move(security));
  if (!server.ok()) {
    worker.Stop();
    work.reset();
    io.stop();
    background.join();
    return fail(server.status());
  }
  (*server)->SetServing(true);
  (*observability)->ReportHealth([s = server->get()] { return s->serving(); });
  LogInfo(absl::StrCat("telederm-triage listening on ", config.listen, " (redis ", config.redis, ", consumer ",
                       worker.consumer().consumer(), ")"));
  WaitForTerminationSignal();
  LogInfo(absl::StrCat("shutting down within ", absl::FormatDuration(shutdown_deadline),
                       ": finishing the case in hand"));
  ExitIfStillRunningAfter(shutdown_deadline);
  ShutdownWithin(**server, shutdown_deadline, [&] {
    worker.Stop();  // no new entries; the one being handled finishes and is acked
    work.reset();
    background.join();
  });
  (*observability)->ReportHealth([] { return false; });  // the server goes before the endpoint
  return 0;
}
