// telederm-intake: the clinic-facing service. Declares its flags and its parts;
// RunService (common/server) does the rest. The logic lives in telederm::intake.
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/case_store/keys.h"
#include "common/clock/clock.h"
#include "common/fhir/export_service.h"
#include "common/images/image_service.h"
#include "common/redis/client.h"
#include "common/server/run_service.h"
#include "common/stream_worker/dead_letter_service.h"
#include "services/intake/intake_service.h"
#include "services/intake/quality_gate.h"

ABSL_FLAG(int64_t, max_image_mib, 32, "largest image accepted, in MiB");
ABSL_FLAG(absl::Duration, shutdown_deadline, absl::Seconds(10),
          "on SIGTERM: stop taking calls, finish those in flight, and exit within this");
ABSL_FLAG(int64_t, max_intake_backlog, 10000,
          "refuse new cases (RESOURCE_EXHAUSTED, retry hint) while more than this many wait for triage; 0: no bound");
ABSL_FLAG(int32_t, max_queued_calls, 256, "unary calls in hand at once; beyond it RESOURCE_EXHAUSTED");
ABSL_FLAG(int32_t, max_watches, 256, "WatchEvents streams open at once; beyond it RESOURCE_EXHAUSTED");
ABSL_FLAG(int32_t, max_watches_per_clinic, 16,
          "WatchEvents streams one clinic may hold open at once (1..--max_watches); beyond it RESOURCE_EXHAUSTED");
ABSL_FLAG(int64_t, max_image_megapixels, 50, "images whose header declares more pixels are refused before decoding");
ABSL_FLAG(int32_t, image_check_threads, 2, "threads that decode and quality-check uploaded images");
ABSL_FLAG(int32_t, image_check_queue, 8,
          "images waiting for a checker thread; beyond it uploads get RESOURCE_EXHAUSTED with a retry hint");
ABSL_FLAG(absl::Duration, image_check_time_limit, absl::Seconds(10),
          "an image not decoded and checked within this is refused (INVALID_ARGUMENT: send a smaller photo)");
ABSL_FLAG(absl::Duration, upload_ttl, absl::Hours(24), "an unfinished upload untouched this long is removed");

namespace telederm::intake {
namespace {

absl::StatusOr<ServiceParts> MakeIntakeParts(const ServiceContext& context) {
  IntakeOptions options;
  options.max_image_bytes = absl::GetFlag(FLAGS_max_image_mib) * 1024 * 1024;
  options.max_intake_backlog = absl::GetFlag(FLAGS_max_intake_backlog);
  options.max_queued_calls = absl::GetFlag(FLAGS_max_queued_calls);
  options.max_watches = absl::GetFlag(FLAGS_max_watches);
  options.max_watches_per_clinic = absl::GetFlag(FLAGS_max_watches_per_clinic);
  options.upload_ttl = absl::GetFlag(FLAGS_upload_ttl);
  if (options.max_queued_calls < 1 || options.max_watches < 1 || options.max_watches_per_clinic < 1 ||
      options.max_watches_per_clinic > options.max_watches || options.upload_ttl <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--max_queued_calls and --max_watches must be at least 1, --max_watches_per_clinic 1..--max_watches, "
        "--upload_ttl positive");
  }
  // Decoding untrusted images: bounded threads and queue, a time limit per image (docs/SECURITY.md).
  QualityGateOptions gate;
  gate.decode.max_pixels = absl::GetFlag(FLAGS_max_image_megapixels) * 1'000'000;
  gate.bounds.threads = absl::GetFlag(FLAGS_image_check_threads);
  gate.bounds.max_queued = absl::GetFlag(FLAGS_image_check_queue);
  gate.bounds.time_limit = absl::GetFlag(FLAGS_image_check_time_limit);
  if (gate.decode.max_pixels < 1 || gate.bounds.threads < 1 || gate.bounds.max_queued < 0 ||
      gate.bounds.time_limit <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--max_image_megapixels and --image_check_threads must be at least 1, --image_check_queue at least 0, "
        "--image_check_time_limit positive");
  }
  options.max_image_pixels = gate.decode.max_pixels;  // a DICOM file's declared size, before decoding
  absl::StatusOr<BlobStorePtr> blobs = OpenDirectoryBlobStore(context.config.data_dir + "/blobs");
  if (!blobs.ok()) return blobs.status();

  // Each service has a connection pool of its own: uploads and submissions
  // do not wait for image reads.
  auto own_pool = [&] { return redis::Client::Create(context.redis_options); };
  ServiceParts parts;
  parts.services.push_back(std::make_shared<IntakeServiceImpl>(
      IntakeDependencies{own_pool(), *blobs, RealClock(), NewQualityGate(gate)}, options));
  parts.services.push_back(std::make_shared<fhir::FhirExportServiceImpl>(own_pool(), RealClock()));
  images::ImageServiceOptions image_options;  // docs/API.md, "Images"
  image_options.images.max_pixels = gate.decode.max_pixels;
  parts.services.push_back(std::make_shared<images::ImageServiceImpl>(own_pool(), *blobs, image_options));
  // The dead letters of the stream intake appends to, which its Redis user may replay into.
  parts.services.push_back(std::make_shared<DeadLetterServiceImpl>(own_pool(), std::vector<std::string>{keys::kIntakeStream}));
  return parts;
}

}  // namespace
}  // namespace telederm::intake

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("telederm-intake: receives clinics' images and cases");
  absl::ParseCommandLine(argc, argv);
  return telederm::RunService({.name = "intake",
                               .default_listen = "127.0.0.1:50051",
                               .default_metrics_listen = "127.0.0.1:9091",
                               .redis_pool_size = 16,
                               .shutdown_deadline = absl::GetFlag(FLAGS_shutdown_deadline),
                               .make_parts = telederm::intake::MakeIntakeParts});
}
