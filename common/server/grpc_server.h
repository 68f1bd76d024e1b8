#ifndef TELEDERM_COMMON_SERVER_GRPC_SERVER_H_
#define TELEDERM_COMMON_SERVER_GRPC_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace telederm {

// A started gRPC server with the grpc.health.v1 health service and server
// reflection. Thread-safe. The services must outlive it.
class GrpcServer {
 public:
  // Binds `listen` ("host:port"; port 0 picks a free one) and starts serving.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(const std::string& listen,
                                                           const std::vector<grpc::Service*>& services);
  ~GrpcServer();

  int port() const { return port_; }
  // Health: SERVING or NOT_SERVING for every service.
  void SetServing(bool serving);
  // Stops taking calls, lets calls in flight finish until `deadline`, then cancels them.
  void Shutdown(absl::Duration deadline);

 private:
  GrpcServer(std::unique_ptr<grpc::Server> server, int port) : server_(std::move(server)), port_(port) {}
  std::unique_ptr<grpc::Server> server_;
  int port_;
  bool shut_down_ = false;
};

// Blocks the calling thread until the process receives SIGINT or SIGTERM.
void WaitForTerminationSignal();

}  // namespace telederm

#endif  // TELEDERM_COMMON_SERVER_GRPC_SERVER_H_
