#ifndef TELEDERM_COMMON_METRICS_RPC_METRICS_H_
#define TELEDERM_COMMON_METRICS_RPC_METRICS_H_

#include <array>
#include <memory>
#include <string>

#include <grpcpp/support/server_interceptor.h>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
class Histogram;
}  // namespace prometheus

namespace telederm::metrics {

// Counts and times every RPC a server handles:
//   telederm_rpc_requests_total{service, method, code}
//   telederm_rpc_duration_seconds{service, method, code}  (histogram)
// `service` is the full gRPC service name ("telederm.v1.IntakeService"),
// `code` the canonical status name ("OK", "NOT_FOUND", ...). Thread-safe.
class RpcMetrics {
 public:
  explicit RpcMetrics(prometheus::Registry& registry);

  // `full_method` as gRPC names it: "/telederm.v1.IntakeService/SubmitCase".
  void Record(const std::string& full_method, grpc::StatusCode code, absl::Duration latency);

 private:
  // One (service, method, code) series: its cells, which the families keep
  // for the registry's life (nothing removes them).
  struct Series {
    prometheus::Counter* requests = nullptr;
    prometheus::Histogram* duration = nullptr;
  };
  static constexpr int kCodes = 17;  // grpc::StatusCode 0..16

  Series NewSeries(const std::string& full_method, grpc::StatusCode code);

  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& durations_;
  // Each call looks its series up here rather than building its labels and
  // hashing them in both families.
  absl::Mutex mutex_;
  absl::flat_hash_map<std::string, std::array<Series, kCodes>> series_ ABSL_GUARDED_BY(mutex_);
};

// The interceptor factory a grpc::ServerBuilder installs: one interceptor per
// call records it in `metrics` when the status is sent.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewRpcMetricsInterceptorFactory(
    std::shared_ptr<RpcMetrics> metrics);

// "UNAVAILABLE" for grpc::StatusCode::UNAVAILABLE.
std::string StatusCodeName(grpc::StatusCode code);

}  // namespace telederm::metrics

#endif  // TELEDERM_COMMON_METRICS_RPC_METRICS_H_
