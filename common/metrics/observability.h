#ifndef TELEDERM_COMMON_METRICS_OBSERVABILITY_H_
#define TELEDERM_COMMON_METRICS_OBSERVABILITY_H_

#include <functional>
#include <memory>
#include <string>

#include <grpcpp/support/server_interceptor.h>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/metrics/metrics_endpoint.h"
#include "common/metrics/pipeline_gauges.h"
#include "common/metrics/rpc_metrics.h"
#include "common/metrics/stream_timing.h"

// Flags every service binary takes (docs/OBSERVABILITY.md), each with an
// environment fallback.
ABSL_DECLARE_FLAG(std::string, metrics_listen);  // TELEDERM_METRICS_LISTEN; "off": no endpoint
ABSL_DECLARE_FLAG(std::string, log_format);      // TELEDERM_LOG_FORMAT: text | json

namespace telederm::metrics {

// A service binary's metrics and log settings: the Prometheus registry, its
// /metrics endpoint, and the RPC metrics. Lives as long as main(). Thread-safe.
class Observability {
 public:
  // Applies --log_format (INVALID_ARGUMENT for anything but text or json) and
  // serves /metrics on --metrics_listen, or `default_metrics_listen` when the
  // flag and its variable are empty. A port that cannot be bound is logged
  // and leaves the service running without an endpoint: metrics must not
  // keep clinics from being served.
  static absl::StatusOr<std::unique_ptr<Observability>> StartFromFlags(absl::string_view default_metrics_listen);
  // Tests: serve on `listen` ("" for no endpoint).
  static absl::StatusOr<std::unique_ptr<Observability>> Start(const std::string& listen);

  prometheus::Registry& registry() { return *registry_; }
  // The port /metrics is served on; 0 without an endpoint.
  int port() const { return endpoint_ != nullptr ? endpoint_->port() : 0; }

  // An interceptor factory for the service's GrpcServer (ServerSecurity::interceptors).
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewRpcInterceptorFactory() const;

  // /healthz on the metrics port answers 200 while `serving` returns true
  // (GrpcServer::serving), 503 otherwise.
  void ReportHealth(std::function<bool()> serving) { MetricsEndpoint::SetHealthCheck(std::move(serving)); }

  // Serves `collectable` on /metrics too (collected at every scrape) for as long as this lives.
  void AddCollectable(std::shared_ptr<prometheus::Collectable> collectable);

  // Reports streams and queues read from Redis (pipeline_gauges.h).
  void AddPipelineGauges(std::shared_ptr<redis::Client> redis, ClockPtr clock, PipelineGaugeOptions options);

  // TimedStreamHandler on this registry.
  StreamHandler Timed(const std::string& histogram_name, const std::string& help, StreamHandler handler);

 private:
  Observability() = default;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<RpcMetrics> rpc_;
  std::vector<std::shared_ptr<prometheus::Collectable>> gauges_;
  std::unique_ptr<MetricsEndpoint> endpoint_;
};

}  // namespace telederm::metrics

#endif  // TELEDERM_COMMON_METRICS_OBSERVABILITY_H_
