// telederm-triage: pre-screens cases from stream:intake and hands them to
// referral. Declares its flags and its parts; RunService (common/server) does
// the rest. The logic lives in telederm::triage.
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "common/case_store/keys.h"
#include "common/clock/clock.h"
#include "common/config/server_config.h"
#include "common/ids/ids.h"
#include "common/logging/log.h"
#include "common/metrics/stream_timing.h"
#include "common/redis/client.h"
#include "common/server/run_service.h"
#include "common/stream_worker/dead_letter_service.h"
#include "common/stream_worker/stream_worker.h"
#include "services/triage/intake_stream_handler.h"
#include "services/triage/lesion_image_analyzer.h"
#include "services/triage/skipped_image_analyzer.h"
#include "services/triage/triage_service.h"

ABSL_FLAG(absl::Duration, analysis_timeout, absl::Seconds(10), "longest image analysis before the case goes to a human");
ABSL_FLAG(absl::Duration, reclaim_idle, absl::Seconds(30), "pending entries idle this long are taken over from dead consumers");
ABSL_FLAG(std::string, model, "",
          "ONNX lesion model for dermoscopy (env TELEDERM_MODEL; default: the shipped models/lesion-dermoscopy.onnx; "
          "none: rules only)");
ABSL_FLAG(std::string, closeup_model, "",
          "ONNX lesion model for clinical close-ups, its sidecar FILE.sidecar (env TELEDERM_CLOSEUP_MODEL; default: "
          "the shipped models/lesion-closeup.onnx; none: rules only)");
ABSL_FLAG(bool, skip_image_analysis, false,
          "BENCHMARKS ONLY: analyse no image; every tumour case goes to a specialist NOT SCREENED and URGENT");
ABSL_FLAG(std::string, model_sidecar, "", "the dermoscopy model's sidecar file (default: MODEL.sidecar)");
ABSL_FLAG(absl::Duration, shutdown_deadline, absl::Seconds(20),
          "on SIGTERM: finish and ack the case in hand, then exit within this");
ABSL_FLAG(int32_t, max_queued_calls, 64, "gRPC calls in hand at once; beyond it RESOURCE_EXHAUSTED with a retry hint");
ABSL_FLAG(int32_t, stream_batch, 16,
          "stream:intake entries read and stored together when images are not analysed (1..1000; with image "
          "analysis always 1)");
ABSL_FLAG(int32_t, max_deliveries, 5,
          "a case whose screening failed this many times goes to a human unscreened (dead letter); 0: never");

namespace telederm::triage {
namespace {

absl::StatusOr<ServiceParts> MakeTriageParts(const ServiceContext& context) {
  ScreeningOptions screening;
  screening.analysis_timeout = absl::GetFlag(FLAGS_analysis_timeout);
  const absl::Duration reclaim_idle = absl::GetFlag(FLAGS_reclaim_idle);
  if (screening.analysis_timeout <= absl::ZeroDuration() || reclaim_idle <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--analysis_timeout and --reclaim_idle must be positive");
  }
  if (const int batch = absl::GetFlag(FLAGS_stream_batch); batch < 1 || batch > 1000) {
    return absl::InvalidArgumentError(absl::StrCat("--stream_batch=", batch, " must be between 1 and 1000"));
  }
  const int max_queued_calls = absl::GetFlag(FLAGS_max_queued_calls);
  if (max_queued_calls < 1) return absl::InvalidArgumentError("--max_queued_calls must be at least 1");
  absl::StatusOr<BlobStorePtr> blobs = OpenDirectoryBlobStore(context.config.data_dir + "/blobs");
  if (!blobs.ok()) return blobs.status();

  absl::StatusOr<AnalyzerPtr> analyzer = NewLesionImageAnalyzer(
      {}, {.dermoscopy = FlagOrEnv(absl::GetFlag(FLAGS_model), "TELEDERM_MODEL", ""),
           .dermoscopy_sidecar = absl::GetFlag(FLAGS_model_sidecar),
           .close_up = FlagOrEnv(absl::GetFlag(FLAGS_closeup_model), "TELEDERM_CLOSEUP_MODEL", "")});
  if (!analyzer.ok()) return analyzer.status();
  if (absl::GetFlag(FLAGS_skip_image_analysis)) {
    LogWarning("--skip_image_analysis: benchmark mode, every tumour case is queued NOT SCREENED as URGENT");
    analyzer = NewSkippedImageAnalyzer();
  }

  const std::shared_ptr<redis::Client>& redis = context.redis;
  context.observability.AddPipelineGauges(redis, RealClock(), {.streams = {keys::kIntakeStream}});
  auto screener = std::make_shared<const Screener>(*analyzer, *blobs, screening);
  auto handler = std::make_shared<IntakeStreamHandler>(redis, screener, RealClock());

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
  auto worker = std::make_shared<StreamWorker>(
      std::make_unique<redis::StreamConsumer>(redis, keys::kIntakeStream, keys::kTriageGroup,
                                              NewConsumerName("triage")),
      metrics::TimedBatchHandler(context.observability.registry(), "telederm_triage_duration_seconds",
                                 "Screening one case, images included (the time of its batch)",
                                 [handler](const std::vector<redis::StreamEntry>& entries) {
                                   return handler->HandleBatch(entries);
                                 }),
      worker_options);

  ServiceParts parts;
  parts.services.push_back(std::make_shared<TriageServiceImpl>(redis, screener, /*threads=*/4, max_queued_calls));
  parts.services.push_back(std::make_shared<DeadLetterServiceImpl>(
      redis, std::vector<std::string>{keys::kIntakeStream, keys::kTriagedStream}));
  // On SIGTERM: no new entries; the case in hand is screened, stored and acked.
  parts.background.push_back({[worker](boost::asio::io_context& io) { worker->Start(io); },
                              [worker] { worker->Stop(); }});
  parts.summary = absl::StrCat("consumer ", worker->consumer().consumer());
  return parts;
}

}  // namespace
}  // namespace telederm::triage

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("telederm-triage: pre-screens cases and orders the specialist queue");
  absl::ParseCommandLine(argc, argv);
  return telederm::RunService({.name = "triage",
                               .default_listen = "127.0.0.1:50052",
                               .default_metrics_listen = "127.0.0.1:9092",
                               .shutdown_deadline = absl::GetFlag(FLAGS_shutdown_deadline),
                               .make_parts = telederm::triage::MakeTriageParts});
}
