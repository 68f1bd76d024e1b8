#ifndef TELEDERM_COMMON_SERVER_GRPC_SERVER_H_
#define TELEDERM_COMMON_SERVER_GRPC_SERVER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace telederm {

// How a server protects its calls; common/auth's MakeServerSecurity builds
// one from flags. Move-only.
struct ServerSecurity {
  // TLS (or, for development, loopback-only plaintext) with the call
  // authenticator installed as its AuthMetadataProcessor.
  std::shared_ptr<grpc::ServerCredentials> credentials;
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  // Served besides the caller's services (the security service); owned by the server.
  std::vector<std::shared_ptr<grpc::Service>> services;
  std::shared_ptr<void> keep_alive;  // whatever the above need to outlive the server
};

// A started gRPC server with the grpc.health.v1 health service and server
// reflection. Thread-safe. The services must outlive it.
class GrpcServer {
 public:
  // Binds `listen` ("host:port"; port 0 picks a free one) and starts serving
  // with `security`. A service binary always starts its server this way.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(const std::string& listen,
                                                           const std::vector<grpc::Service*>& services,
                                                           ServerSecurity security);
  // In-process tests only: plaintext, no authenticator, and IdentifyCaller
  // trusts the unverified x-telederm-* headers (common/caller).
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(const std::string& listen,
                                                           const std::vector<grpc::Service*>& services);
  ~GrpcServer();

  int port() const { return port_; }
  // Health: SERVING or NOT_SERVING for every service.
  void SetServing(bool serving);
  bool serving() const { return serving_; }
  // Stops taking calls, lets calls in flight finish until `deadline`, then cancels them.
  void Shutdown(absl::Duration deadline);

 private:
  GrpcServer(std::unique_ptr<grpc::Server> server, int port) : server_(std::move(server)), port_(port) {}
  ServerSecurity security_;  // declared before server_: outlives it
  std::unique_ptr<grpc::Server> server_;
  int port_;
  bool shut_down_ = false;
  std::atomic<bool> serving_{false};
};

// Blocks the calling thread until the process receives SIGINT or SIGTERM.
void WaitForTerminationSignal();

// The graceful shutdown of a service binary, after SIGTERM:
//   1. health turns NOT_SERVING at once;
//   2. `stop_work` runs: the service stops taking work (stream reads, timers)
//      and finishes what it has in hand, acking it;
//   3. the server stops taking calls and lets the calls in flight finish.
// Calls still running when `deadline` is near are cancelled. A binary calls
// ExitIfStillRunningAfter(deadline) first, which bounds the whole exit (work
// not finished by then is not acked, so it is delivered again).
void ShutdownWithin(GrpcServer& server, absl::Duration deadline, const std::function<void()>& stop_work = {});

// Ends the process with exit status 1 if it still runs `deadline` from now.
// Returns at once.
void ExitIfStillRunningAfter(absl::Duration deadline);

}  // namespace telederm

#endif  // TELEDERM_COMMON_SERVER_GRPC_SERVER_H_
