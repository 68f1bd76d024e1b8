// telederm-referral's server: reads its flags (already parsed) and runs the
// consumer of stream:triaged (a StreamWorker), the lease reaper, escalation
// check and audit retention (Housekeeping), and the gRPC server
// (ReferralService, AdminService, FhirExportService and DeadLetterService)
// until SIGTERM.
#include "services/referral/referral_server.h"

#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit_retention.h"
#include "common/auth/server_security.h"
#include "common/case_store/keys.h"
#include "common/clock/clock.h"
#include "common/config/server_config.h"
#include "common/fhir/export_service.h"
#include "common/ids/ids.h"
#include "common/logging/log.h"
#include "common/metrics/observability.h"
#include "common/metrics/stream_timing.h"
#include "common/redis/client.h"
#include "common/server/grpc_server.h"
#include "common/stream_worker/dead_letter_service.h"
#include "common/stream_worker/stream_worker.h"
#include "services/referral/housekeeping.h"
#include "services/referral/icd10_table.h"
#include "services/referral/options.h"
#include "services/referral/referral_service.h"
#include "services/referral/screening_metrics.h"
#include "services/referral/triaged_stream_handler.h"

ABSL_FLAG(absl::Duration, urgent_target, absl::Hours(24), "service-level target of URGENT cases");
ABSL_FLAG(absl::Duration, soon_target, absl::Hours(72), "service-level target of SOON cases");
ABSL_FLAG(absl::Duration, routine_target, absl::Hours(168), "service-level target of ROUTINE cases");
ABSL_FLAG(absl::Duration, lease, absl::Minutes(15), "how long a claim lasts without ExtendClaim");
ABSL_FLAG(absl::Duration, reap_interval, absl::Seconds(1),
          "how often lapsed leases are returned to the queue and overdue cases escalated");
ABSL_FLAG(absl::Duration, reclaim_idle, absl::Seconds(30),
          "take over triaged entries pending this long on another (dead) consumer");
ABSL_FLAG(std::string, default_pool, "general", "the pool cases go to when no stored pool fits");
ABSL_FLAG(absl::Duration, shutdown_deadline, absl::Seconds(10),
          "on SIGTERM: finish and ack the entry in hand, let calls in flight finish, exit within this");
ABSL_FLAG(absl::Duration, fairness_window, absl::Minutes(30),
          "ClaimNext may serve a less-served clinic's case of the same tier due this much after the head");
ABSL_FLAG(std::string, icd10_table, "", "the table of accepted ICD-10 codes (default: the bundled one)");
ABSL_FLAG(int32_t, stream_batch, 16, "stream:triaged entries placed in queues together (1..1000)");
ABSL_FLAG(int32_t, max_queued_calls, 256, "unary calls in hand at once; beyond it RESOURCE_EXHAUSTED with a retry hint");
ABSL_FLAG(int32_t, max_watches, 64, "WatchQueue streams open at once; beyond it RESOURCE_EXHAUSTED with a retry hint");
ABSL_FLAG(int32_t, max_watches_per_specialist, 8,
          "WatchQueue streams one specialist may hold open at once (1..--max_watches); beyond it RESOURCE_EXHAUSTED");

namespace telederm::referral {

int RunReferralServer(ClockPtr clock) {
  telederm::SetLogComponent("referral");
  const telederm::ServerConfig config = telederm::ResolveServerConfig("127.0.0.1:50053");
  auto observability = telederm::metrics::Observability::StartFromFlags("127.0.0.1:9093");  // docs/OBSERVABILITY.md
  if (!observability.ok()) {
    telederm::LogError(std::string(observability.status().message()));
    return 2;
  }

  telederm::referral::ReferralOptions options;
  options.targets.urgent = absl::GetFlag(FLAGS_urgent_target);
  options.targets.soon = absl::GetFlag(FLAGS_soon_target);
  options.targets.routine = absl::GetFlag(FLAGS_routine_target);
  options.lease = absl::GetFlag(FLAGS_lease);
  options.reap_interval = absl::GetFlag(FLAGS_reap_interval);
  options.reclaim_idle = absl::GetFlag(FLAGS_reclaim_idle);
  options.default_pool = absl::GetFlag(FLAGS_default_pool);
  options.fairness_window = absl::GetFlag(FLAGS_fairness_window);
  if (absl::Status s = telederm::referral::ValidateOptions(options); !s.ok()) {
    telederm::LogError(std::string(s.message()));
    return 2;
  }
  if (const int batch = absl::GetFlag(FLAGS_stream_batch); batch < 1 || batch > 1000) {
    telederm::LogError(absl::StrCat("--stream_batch=", batch, " must be between 1 and 1000"));
    return 2;
  }
  std::string table_path = absl::GetFlag(FLAGS_icd10_table);
  if (table_path.empty()) table_path = telederm::referral::DefaultIcd10TablePath();
  absl::StatusOr<telederm::referral::Icd10TablePtr> codes = telederm::referral::Icd10Table::Load(table_path);
  if (!codes.ok()) {
    telederm::LogError(absl::StrCat("--icd10_table: ", codes.status().message()));
    return 2;
  }
  absl::StatusOr<telederm::redis::Endpoint> endpoint = telederm::redis::Endpoint::Parse(config.redis);
  if (!endpoint.ok()) {
    telederm::LogError(absl::StrCat("--redis: ", endpoint.status().message()));
    return 2;
  }
  telederm::redis::ClientOptions redis_options;
  redis_options.endpoint = *endpoint;
  redis_options.pool_size = 16;
  redis_options.username = config.redis_user;
  redis_options.password = config.redis_password;
  std::shared_ptr<telederm::redis::Client> redis = telederm::redis::Client::Create(redis_options);
  // TLS and bearer tokens (docs/SECURITY.md); refuses to start without them. Token
  // expiry is judged by the real clock, whatever clock the workflow runs on.
  absl::StatusOr<telederm::ServerSecurity> security = telederm::auth::MakeServerSecurity(
      telederm::auth::SecurityOptionsFromFlags(), redis, telederm::RealClock(), &(*observability)->registry());
  if (!security.ok()) {
    telederm::LogError(std::string(security.status().message()));
    return 2;
  }
  security->interceptors.push_back((*observability)->NewRpcInterceptorFactory());
  (*observability)->AddPipelineGauges(redis, telederm::RealClock(),
                                      {.streams = {telederm::keys::kTriagedStream}, .queues = true});
  auto handler = std::make_shared<telederm::referral::TriagedStreamHandler>(redis, clock, options);
  telederm::StreamWorkerOptions worker_options;
  worker_options.batch = absl::GetFlag(FLAGS_stream_batch);
  worker_options.reclaim_idle = options.reclaim_idle;
  worker_options.reclaim_every = options.reclaim_idle;
  telederm::StreamWorker worker(
      std::make_unique<telederm::redis::StreamConsumer>(redis, telederm::keys::kTriagedStream,
                                                        telederm::keys::kReferralGroup,
                                                        telederm::NewConsumerName("referral")),
      telederm::metrics::TimedBatchHandler((*observability)->registry(), "telederm_referral_placement_duration_seconds",
                                  "Placing one triaged case in a queue (the time of its batch)",
                                  [handler](const std::vector<telederm::redis::StreamEntry>& entries) {
                                    return handler->HandleBatch(entries);
                                  }),
      worker_options);
  // The audit trail's retention, in the process given --audit_archive_dir (docs/SECURITY.md).
  auto retention = telederm::audit::AuditRetentionFromFlags(redis_options, telederm::RealClock());
  if (!retention.ok()) {
    telederm::LogError(std::string(retention.status().message()));
    return 2;
  }
  telederm::referral::Housekeeping housekeeping(std::make_unique<telederm::referral::LeaseReaper>(redis, clock),
                                                std::make_unique<telederm::referral::Escalator>(redis, clock),
                                                options.reap_interval, *std::move(retention));

  telederm::referral::ReferralParts parts = telederm::referral::MakeReferralParts(redis, clock, options, *codes);
  (*observability)->AddCollectable(std::make_shared<telederm::referral::ScreeningGauges>(parts.screening));
  telederm::referral::AdminServiceImpl admin(parts.directory, parts.screening);
  telederm::referral::ServingLimits limits;
  limits.max_queued_calls = absl::GetFlag(FLAGS_max_queued_calls);
  limits.max_watches = absl::GetFlag(FLAGS_max_watches);
  limits.max_watches_per_specialist = absl::GetFlag(FLAGS_max_watches_per_specialist);
  if (limits.max_queued_calls < 1 || limits.max_watches < 1 || limits.max_watches_per_specialist < 1 ||
      limits.max_watches_per_specialist > limits.max_watches) {
    telederm::LogError(
        "--max_queued_calls and --max_watches must be at least 1, --max_watches_per_specialist 1..--max_watches");
    return 2;
  }
  telederm::referral::ReferralServiceImpl service(std::move(parts), limits);
  telederm::fhir::FhirExportServiceImpl fhir_export(redis, telederm::RealClock());
  // The dead letters of the stream referral consumes, which its Redis user may replay into.
  telederm::DeadLetterServiceImpl dead_letters(redis, {telederm::keys::kTriagedStream});
  absl::StatusOr<std::unique_ptr<telederm::GrpcServer>> server = telederm::GrpcServer::Start(
      config.listen, {&service, &admin, &fhir_export, &dead_letters}, *std::move(security));
  if (!server.ok()) {
    telederm::LogError(std::string(server.status().message()));
    return 1;
  }
  // Two threads: the worker's blocking stream read must not hold up the timers.
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  worker.Start(io);
  housekeeping.Start(io);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) threads.emplace_back([&io] { io.run(); });
  (*server)->SetServing(true);
  (*observability)->ReportHealth([s = server->get()] { return s->serving(); });
  telederm::LogInfo(absl::StrCat("telederm-referral listening on ", config.listen.substr(0, config.listen.rfind(':')),
                                 ":", (*server)->port(), " (consumer ", worker.consumer().consumer(), ", ",
                                 (*codes)->size(), " ICD-10 codes)"));
  telederm::WaitForTerminationSignal();
  const absl::Duration shutdown_deadline = absl::GetFlag(FLAGS_shutdown_deadline);
  telederm::LogInfo(absl::StrCat("shutting down within ", absl::FormatDuration(shutdown_deadline)));
  telederm::ExitIfStillRunningAfter(shutdown_deadline);
  telederm::ShutdownWithin(**server, shutdown_deadline, [&] {
    worker.Stop();
    housekeeping.Stop();
    work.reset();
    for (std::thread& thread : threads) thread.join();
  });
  (*observability)->ReportHealth([] { return false; });  // the server goes before the endpoint
  return 0;
}

}  // namespace telederm::referral
