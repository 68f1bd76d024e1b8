// telederm-referral's parts, run by RunService (common/server): the consumer
// of stream:triaged (a StreamWorker), the lease reaper, escalation check and
// audit retention (Housekeeping), and ReferralService, AdminService,
// FhirExportService and DeadLetterService.
#include "services/referral/referral_server.h"

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit_retention.h"
#include "common/case_store/keys.h"
#include "common/clock/clock.h"
#include "common/fhir/export_service.h"
#include "common/ids/ids.h"
#include "common/metrics/stream_timing.h"
#include "common/redis/client.h"
#include "common/server/run_service.h"
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
namespace {

absl::StatusOr<ServiceParts> MakeServiceParts(const ServiceContext& context, ClockPtr clock) {
  ReferralOptions options;
  options.targets.urgent = absl::GetFlag(FLAGS_urgent_target);
  options.targets.soon = absl::GetFlag(FLAGS_soon_target);
  options.targets.routine = absl::GetFlag(FLAGS_routine_target);
  options.lease = absl::GetFlag(FLAGS_lease);
  options.reap_interval = absl::GetFlag(FLAGS_reap_interval);
  options.reclaim_idle = absl::GetFlag(FLAGS_reclaim_idle);
  options.default_pool = absl::GetFlag(FLAGS_default_pool);
  options.fairness_window = absl::GetFlag(FLAGS_fairness_window);
  if (absl::Status s = ValidateOptions(options); !s.ok()) return s;
  if (const int batch = absl::GetFlag(FLAGS_stream_batch); batch < 1 || batch > 1000) {
    return absl::InvalidArgumentError(absl::StrCat("--stream_batch=", batch, " must be between 1 and 1000"));
  }
  ServingLimits limits;
  limits.max_queued_calls = absl::GetFlag(FLAGS_max_queued_calls);
  limits.max_watches = absl::GetFlag(FLAGS_max_watches);
  limits.max_watches_per_specialist = absl::GetFlag(FLAGS_max_watches_per_specialist);
  if (limits.max_queued_calls < 1 || limits.max_watches < 1 || limits.max_watches_per_specialist < 1 ||
      limits.max_watches_per_specialist > limits.max_watches) {
    return absl::InvalidArgumentError(
        "--max_queued_calls and --max_watches must be at least 1, --max_watches_per_specialist 1..--max_watches");
  }
  std::string table_path = absl::GetFlag(FLAGS_icd10_table);
  if (table_path.empty()) table_path = DefaultIcd10TablePath();
  absl::StatusOr<Icd10TablePtr> codes = Icd10Table::Load(table_path);
  if (!codes.ok()) return absl::InvalidArgumentError(absl::StrCat("--icd10_table: ", codes.status().message()));
  // The audit trail's retention, in the process given --audit_archive_dir (docs/SECURITY.md).
  auto retention = audit::AuditRetentionFromFlags(context.redis_options, RealClock());
  if (!retention.ok()) return retention.status();

  const std::shared_ptr<redis::Client>& redis = context.redis;
  context.observability.AddPipelineGauges(redis, RealClock(),
                                          {.streams = {keys::kTriagedStream}, .queues = true});
  auto handler = std::make_shared<TriagedStreamHandler>(redis, clock, options);
  StreamWorkerOptions worker_options;
  worker_options.batch = absl::GetFlag(FLAGS_stream_batch);
  worker_options.reclaim_idle = options.reclaim_idle;
  worker_options.reclaim_every = options.reclaim_idle;
  auto worker = std::make_shared<StreamWorker>(
      std::make_unique<redis::StreamConsumer>(redis, keys::kTriagedStream, keys::kReferralGroup,
                                              NewConsumerName("referral")),
      metrics::TimedBatchHandler(context.observability.registry(), "telederm_referral_placement_duration_seconds",
                                 "Placing one triaged case in a queue (the time of its batch)",
                                 [handler](const std::vector<redis::StreamEntry>& entries) {
                                   return handler->HandleBatch(entries);
                                 }),
      worker_options);
  auto housekeeping = std::make_shared<Housekeeping>(std::make_unique<LeaseReaper>(redis, clock),
                                                     std::make_unique<Escalator>(redis, clock),
                                                     options.reap_interval, *std::move(retention));

  ServiceParts parts;
  ReferralParts referral = MakeReferralParts(redis, clock, options, *codes);
  context.observability.AddCollectable(std::make_shared<ScreeningGauges>(referral.screening));
  parts.services.push_back(std::make_shared<AdminServiceImpl>(referral.directory, referral.screening, redis));
  parts.services.push_back(std::make_shared<ReferralServiceImpl>(std::move(referral), limits));
  parts.services.push_back(std::make_shared<fhir::FhirExportServiceImpl>(redis, RealClock()));
  // The dead letters of the stream referral consumes, which its Redis user may replay into.
  parts.services.push_back(
      std::make_shared<DeadLetterServiceImpl>(redis, std::vector<std::string>{keys::kTriagedStream}));
  // Two threads: the worker's blocking stream read must not hold up the timers.
  parts.background_threads = 2;
  parts.background.push_back({[worker](boost::asio::io_context& io) { worker->Start(io); },
                              [worker] { worker->Stop(); }});
  parts.background.push_back({[housekeeping](boost::asio::io_context& io) { housekeeping->Start(io); },
                              [housekeeping] { housekeeping->Stop(); }});
  parts.summary = absl::StrCat("consumer ", worker->consumer().consumer(), ", ", (*codes)->size(), " ICD-10 codes");
  return parts;
}

}  // namespace

int RunReferralServer(ClockPtr clock) {
  return RunService({.name = "referral",
                     .default_listen = "127.0.0.1:50053",
                     .default_metrics_listen = "127.0.0.1:9093",
                     .redis_pool_size = 16,
                     .shutdown_deadline = absl::GetFlag(FLAGS_shutdown_deadline),
                     .make_parts = [clock](const ServiceContext& context) {
                       return MakeServiceParts(context, clock);
                     }});
}

}  // namespace telederm::referral
