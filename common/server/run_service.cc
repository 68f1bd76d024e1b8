#include "common/server/run_service.h"

#include <thread>
#include <utility>

#include <boost/asio/executor_work_guard.hpp>

#include "absl/strings/str_cat.h"
#include "common/auth/server_security.h"
#include "common/clock/clock.h"
#include "common/logging/log.h"
#include "common/server/grpc_server.h"

namespace telederm {
namespace {

constexpr int kBadSetting = 2;
constexpr int kCannotServe = 1;

int Fail(int exit_status, absl::string_view message) {
  LogError(std::string(message));
  return exit_status;
}

}  // namespace

int RunService(ServiceDefinition service) {
  SetLogComponent(service.name);
  const ServerConfig config = ResolveServerConfig(service.default_listen);
  auto observability = metrics::Observability::StartFromFlags(service.default_metrics_listen);
  if (!observability.ok()) return Fail(kBadSetting, observability.status().message());
  if (service.shutdown_deadline <= absl::ZeroDuration()) {
    return Fail(kBadSetting, "--shutdown_deadline must be positive");
  }

  absl::StatusOr<redis::Endpoint> endpoint = redis::Endpoint::Parse(config.redis);
  if (!endpoint.ok()) return Fail(kBadSetting, absl::StrCat("--redis: ", endpoint.status().message()));
  redis::ClientOptions redis_options;
  redis_options.endpoint = *endpoint;
  redis_options.pool_size = service.redis_pool_size;
  redis_options.username = config.redis_user;
  redis_options.password = config.redis_password;
  redis_options.wait_replicas = config.redis_wait_replicas;  // docs/DELIVERY.md, "Failover"
  redis_options.replica_wait_timeout = config.redis_wait_timeout;
  const std::shared_ptr<redis::Client> redis = redis::Client::Create(redis_options);

  // TLS and bearer tokens (docs/SECURITY.md); refuses to start without them.
  // Token expiry is judged by the real clock, whatever clock a service's own
  // work runs on.
  absl::StatusOr<ServerSecurity> security =
      auth::MakeServerSecurity(auth::SecurityOptionsFromFlags(), redis, RealClock(), &(*observability)->registry());
  if (!security.ok()) return Fail(kBadSetting, security.status().message());
  security->interceptors.push_back((*observability)->NewRpcInterceptorFactory());

  absl::StatusOr<ServiceParts> parts =
      service.make_parts(ServiceContext{config, redis_options, redis, **observability});
  if (!parts.ok()) return Fail(kBadSetting, parts.status().message());
  if (parts->background_threads < 1) parts->background_threads = 1;

  std::vector<grpc::Service*> services;
  for (const std::shared_ptr<grpc::Service>& s : parts->services) services.push_back(s.get());
  absl::StatusOr<std::unique_ptr<GrpcServer>> server = GrpcServer::Start(config.listen, services, *std::move(security));
  if (!server.ok()) return Fail(kCannotServe, server.status().message());

  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  for (BackgroundWork& background : parts->background) background.start(io);
  std::vector<std::thread> threads;
  if (!parts->background.empty()) {
    for (int i = 0; i < parts->background_threads; ++i) threads.emplace_back([&io] { io.run(); });
  }
  (*server)->SetServing(true);
  (*observability)->ReportHealth([s = server->get()] { return s->serving(); });
  LogInfo(absl::StrCat("telederm-", service.name, " listening on ", config.listen.substr(0, config.listen.rfind(':')),
                       ":", (*server)->port(), " (redis ", config.redis, ", data ", config.data_dir,
                       parts->summary.empty() ? "" : ", ", parts->summary, ")"));

  WaitForTerminationSignal();
  LogInfo(absl::StrCat("shutting down within ", absl::FormatDuration(service.shutdown_deadline)));
  // Bounds everything up to the exit, the parts' destructors (which wait for
  // their executors) included.
  ExitIfStillRunningAfter(service.shutdown_deadline);
  ShutdownWithin(**server, service.shutdown_deadline, [&] {
    for (BackgroundWork& background : parts->background) background.stop();
    work.reset();
    for (std::thread& thread : threads) thread.join();
  });
  (*observability)->ReportHealth([] { return false; });  // the server goes before the endpoint
  return 0;
}

}  // namespace telederm
