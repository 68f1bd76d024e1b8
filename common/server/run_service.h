#ifndef TELEDERM_COMMON_SERVER_RUN_SERVICE_H_
#define TELEDERM_COMMON_SERVER_RUN_SERVICE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <grpcpp/grpcpp.h>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/config/server_config.h"
#include "common/metrics/observability.h"
#include "common/redis/client.h"

namespace telederm {

// Work a service runs besides answering calls: stream workers and timers.
// Started on the service's io_context once its server is bound, stopped when
// it drains; Stop finishes (and acks) what is in hand and returns.
struct BackgroundWork {
  std::function<void(boost::asio::io_context&)> start;
  std::function<void()> stop;
};

// What RunService has set up before it asks the service for its parts.
struct ServiceContext {
  const ServerConfig& config;
  // The settings of the service's Redis connections, for parts that want a
  // pool of their own (ClientOptions::pool_size from the ServiceDefinition).
  const redis::ClientOptions& redis_options;
  // One client on those settings, shared by the parts that take it (and by the
  // token revocation check).
  const std::shared_ptr<redis::Client>& redis;
  metrics::Observability& observability;
};

// A service's own parts, made from its flags. RunService owns them: the
// services outlive the server, the background work is stopped before the
// server stops taking calls.
struct ServiceParts {
  std::vector<std::shared_ptr<grpc::Service>> services;
  std::vector<BackgroundWork> background;
  int background_threads = 1;  // threads running the io_context the background work is started on
  std::string summary;         // appended to the start-up log line, e.g. "consumer triage-3f2a"
};

struct ServiceDefinition {
  std::string name;            // "intake": the log component and the binary's name after "telederm-"
  std::string default_listen;  // gRPC address when --listen and TELEDERM_LISTEN are not set
  std::string default_metrics_listen;  // docs/OBSERVABILITY.md
  int redis_pool_size = 4;
  absl::Duration shutdown_deadline;  // the service's --shutdown_deadline
  // Reads the service's own flags and makes its parts; INVALID_ARGUMENT (or
  // any error) with a message naming the flag stops the process with exit
  // status 2 before anything is bound or started.
  absl::AnyInvocable<absl::StatusOr<ServiceParts>(const ServiceContext&)> make_parts;
};

// Runs a telederm gRPC service with the flags absl::ParseCommandLine has read,
// until SIGTERM or SIGINT; returns the process's exit status. In order:
//   1. the common settings (--listen, --redis, --data_dir, Redis ACL user),
//      the metrics and health endpoint, TLS and bearer tokens, RPC metrics;
//   2. the service's parts (`make_parts`);
//   3. the gRPC server (with health, reflection, the security service), then
//      the background work, then health SERVING;
//   4. on the signal, ShutdownWithin(shutdown_deadline) (grpc_server.h).
// Exit status 2: a setting is wrong (the log says which); 1: the server could
// not bind; 0: drained after the signal.
int RunService(ServiceDefinition service);

}  // namespace telederm

#endif  // TELEDERM_COMMON_SERVER_RUN_SERVICE_H_
