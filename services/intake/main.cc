// telederm-intake: the clinic-facing service. Reads configuration, starts the
// server, and waits for SIGTERM/SIGINT; the logic lives in telederm::intake.
#include <cstdio>
#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "common/config/server_config.h"
#include "common/logging/log.h"
#include "common/redis/client.h"
#include "common/server/grpc_server.h"
#include "services/intake/intake_service.h"
#include "services/intake/quality_gate.h"

ABSL_FLAG(int64_t, max_image_mib, 32, "largest image accepted, in MiB");

int main(int argc, char** argv) {
  using namespace telederm;
  absl::SetProgramUsageMessage("telederm-intake: receives clinics' images and cases");
  absl::ParseCommandLine(argc, argv);
  SetLogComponent("intake");
  ServerConfig config = ResolveServerConfig("127.0.0.1:50051");

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

  intake::IntakeOptions options;
  options.max_image_bytes = absl::GetFlag(FLAGS_max_image_mib) * 1024 * 1024;
  intake::IntakeServiceImpl service(
      {redis::Client::Create(redis_options), *blobs, RealClock(), intake::NewQualityGate()}, options);

  absl::StatusOr<std::unique_ptr<GrpcServer>> server = GrpcServer::Start(config.listen, {&service});
  if (!server.ok()) {
    LogError(std::string(server.status().message()));
    return 1;
  }
  (*server)->SetServing(true);
  LogInfo(absl::StrCat("telederm-intake listening on ", config.listen, " (redis ", config.redis, ", data ",
                       config.data_dir, ")"));
  WaitForTerminationSignal();
  LogInfo("shutting down");
  (*server)->Shutdown(absl::Seconds(5));
  return 0;
}
