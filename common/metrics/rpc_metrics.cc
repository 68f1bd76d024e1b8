#include "common/metrics/rpc_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/time/clock.h"

namespace telederm::metrics {
namespace {

// Unary calls take milliseconds; uploads of large images and event streams
// take much longer (a WatchEvents call lasts as long as the client listens).
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
  return *buckets;
}

class RpcMetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  RpcMetricsInterceptor(std::shared_ptr<RpcMetrics> metrics, std::string method)
      : metrics_(std::move(metrics)), method_(std::move(method)), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      metrics_->Record(method_, methods->GetSendStatus().error_code(), absl::Now() - start_);
    }
    methods->Proceed();
  }

 private:
  std::shared_ptr<RpcMetrics> metrics_;
  std::string method_;
  absl::Time start_;
};

class RpcMetricsInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcMetricsInterceptorFactory(std::shared_ptr<RpcMetrics> metrics) : metrics_(std::move(metrics)) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new RpcMetricsInterceptor(metrics_, info->method() != nullptr ? info->method() : "unknown");
  }

 private:
  std::shared_ptr<RpcMetrics> metrics_;
};

}  // namespace

RpcMetrics::RpcMetrics(prometheus::Registry& registry)
    : requests_(prometheus::BuildCounter()
                    .Name("telederm_rpc_requests_total")
                    .Help("RPCs handled, by service, method and status code")
                    .Register(registry)),
      durations_(prometheus::BuildHistogram()
                     .Name("telederm_rpc_duration_seconds")
                     .Help("Time from the start of an RPC to its status, by service, method and status code")
                     .Register(registry)) {}

void RpcMetrics::Record(const std::string& full_method, grpc::StatusCode code, absl::Duration latency) {
  const int slot = code >= 0 && code < kCodes ? static_cast<int>(code) : static_cast<int>(grpc::StatusCode::UNKNOWN);
  Series series;
  {
    absl::MutexLock lock(&mutex_);
    Series& known = series_[full_method][slot];
    if (known.requests == nullptr) known = NewSeries(full_method, static_cast<grpc::StatusCode>(slot));
    series = known;
  }
  series.requests->Increment();
  series.duration->Observe(absl::ToDoubleSeconds(latency));
}

RpcMetrics::Series RpcMetrics::NewSeries(const std::string& full_method, grpc::StatusCode code) {
  // "/package.Service/Method"
  std::string service = "unknown";
  std::string method = full_method;
  if (const size_t slash = full_method.rfind('/'); slash != std::string::npos && slash > 0) {
    service = full_method.substr(full_method[0] == '/' ? 1 : 0, slash - (full_method[0] == '/' ? 1 : 0));
    method = full_method.substr(slash + 1);
  }
  const prometheus::Labels labels{{"service", service}, {"method", method}, {"code", StatusCodeName(code)}};
  return {&requests_.Add(labels), &durations_.Add(labels, LatencyBuckets())};
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewRpcMetricsInterceptorFactory(
    std::shared_ptr<RpcMetrics> metrics) {
  return std::make_unique<RpcMetricsInterceptorFactory>(std::move(metrics));
}

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

}  // namespace telederm::metrics
