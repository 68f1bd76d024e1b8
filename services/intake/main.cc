// telederm-intake: the clinic-facing service. Reads configuration, starts the
// server, and waits for SIGTERM/SIGINT; the logic lives in telederm::intake.
#include <cstdio>
#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "common/auth/server_security.h"
#include "common/case_store/keys.h"
#include "common/config/server_config.h"
#include "common/fhir/export_service.h"
#include "common/images/image_service.h"
#include "common/logging/log.h"
#include "common/metrics/observability.h"
#include "common/redis/client.h"
#include "common/server/grpc_server.h"
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

int main(int argc, char** argv) {
  using namespace telederm;
  absl::SetProgramUsageMessage("telederm-intake: receives clinics' images and cases");
  absl::ParseCommandLine(argc, argv);
  SetLogComponent("intake");
  ServerConfig config = ResolveServerConfig("127.0.0.1:50051");
  auto observability = metrics::Observability::StartFromFlags("127.0.0.1:9091");  // docs/OBSERVABILITY.md
  if (!observability.ok()) {
    LogError(std::string(observability.status().message()));
    return 2;
  }

  absl::StatusOr<redis::Endpoint> endpoint = redis::Endpoint::Parse(config.redis);
  if (!endpoint.ok()) {
    LogError(absl::StrCat("--redis: ", endpoint.status().message()));
    return 2;
  }
  absl::StatusOr<BlobStorePtr> blobs = OpenDirectoryBlobStore(config.data_dir + "/blobs");
  if (!blobs.ok()) {
    LogError(std::string(blobs.status().message()));
    return 1;
  }
  redis::ClientOptions redis_options;
  redis_options.endpoint = *endpoint;
  redis_options.pool_size = 16;
  redis_options.username = config.redis_user;
  redis_options.password = config.redis_password;
  redis_options.wait_replicas = config.redis_wait_replicas;  // SubmitCase's answer waits for replicas
  redis_options.replica_wait_timeout = config.redis_wait_timeout;
  // TLS and bearer tokens (docs/SECURITY.md); refuses to start without them.
  absl::StatusOr<ServerSecurity> security =
      auth::MakeServerSecurity(auth::SecurityOptionsFromFlags(), redis::Client::Create(redis_options), RealClock(),
                               &(*observability)->registry());
  if (!security.ok()) {
    LogError(std::string(security.status().message()));
    return 2;
  }
  security->interceptors.push_back((*observability)->NewRpcInterceptorFactory());

  intake::IntakeOptions options;
  options.max_image_bytes = absl::GetFlag(FLAGS_max_image_mib) * 1024 * 1024;
  options.max_intake_backlog = absl::GetFlag(FLAGS_max_intake_backlog);
  options.max_queued_calls = absl::GetFlag(FLAGS_max_queued_calls);
  options.max_watches = absl::GetFlag(FLAGS_max_watches);
  options.max_watches_per_clinic = absl::GetFlag(FLAGS_max_watches_per_clinic);
  options.upload_ttl = absl::GetFlag(FLAGS_upload_ttl);
  const absl::Duration shutdown_deadline = absl::GetFlag(FLAGS_shutdown_deadline);
  if (options.max_queued_calls < 1 || options.max_watches < 1 || options.max_watches_per_clinic < 1 ||
      options.max_watches_per_clinic > options.max_watches || options.upload_ttl <= absl::ZeroDuration() ||
      shutdown_deadline <= absl::ZeroDuration()) {
    LogError("--max_queued_calls and --max_watches must be at least 1, --max_watches_per_clinic 1..--max_watches, "
             "--upload_ttl and --shutdown_deadline positive");
    return 2;
  }
  // Decoding untrusted images: bounded threads and queue, a time limit per image (docs/SECURITY.md).
  intake::QualityGateOptions gate;
  gate.decode.max_pixels = absl::GetFlag(FLAGS_max_image_megapixels) * 1'000'000;
  gate.bounds.threads = absl::GetFlag(FLAGS_image_check_threads);
  gate.bounds.max_queued = absl::GetFlag(FLAGS_image_check_queue);
  gate.bounds.time_limit = absl::GetFlag(FLAGS_image_check_time_limit);
  if (gate.decode.max_pixels < 1 || gate.bounds.threads < 1 || gate.bounds.max_queued < 0 ||
      gate.bounds.time_limit <= absl::ZeroDuration()) {
    LogError("--max_image_megapixels and --image_check_threads must be at least 1, --image_check_queue at least 0, "
             "--image_check_time_limit positive");
    return 2;
  }
  intake::IntakeServiceImpl service(
      {redis::Client::Create(redis_options), *blobs, RealClock(), intake::NewQualityGate(gate)}, options);

  fhir::FhirExportServiceImpl fhir_export(redis::Client::Create(redis_options), RealClock());
  images::ImageServiceOptions image_options;  // docs/API.md, "Images"
  image_options.images.max_pixels = gate.decode.max_pixels;
  images::ImageServiceImpl image_service(redis::Client::Create(redis_options), *blobs, image_options);
  // The dead letters of the stream intake appends to, which its Redis user may replay into.
  DeadLetterServiceImpl dead_letters(redis::Client::Create(redis_options), {keys::kIntakeStream});
  absl::StatusOr<std::unique_ptr<GrpcServer>> server = GrpcServer::Start(
      config.listen, {&service, &fhir_export, &image_service, &dead_letters}, *std::move(security));
  if (!server.ok()) {
    LogError(std::string(server.status().message()));
    return 1;
  }
  (*server)->SetServing(true);
  (*observability)->ReportHealth([s = server->get()] { return s->serving(); });
  LogInfo(absl::StrCat("telederm-intake listening on ", config.listen, " (redis ", config.redis, ", data ",
                       config.data_dir, ")"));
  WaitForTerminationSignal();
  LogInfo(absl::StrCat("shutting down within ", absl::FormatDuration(shutdown_deadline)));
  // Bounds everything up to the exit, the service's destructor (which waits
  // for its executors) included.
  ExitIfStillRunningAfter(shutdown_deadline);
  ShutdownWithin(**server, shutdown_deadline);
  (*observability)->ReportHealth([] { return false; });  // the server goes before the endpoint
  return 0;
}
