#include "common/metrics/observability.h"

#include <prometheus/registry.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/config/server_config.h"
#include "common/logging/log.h"

ABSL_FLAG(std::string, metrics_listen, "",
          "host:port of the Prometheus /metrics endpoint (env TELEDERM_METRICS_LISTEN; default per service: intake "
          "127.0.0.1:9091, triage :9092, referral :9093); off: no endpoint");
ABSL_FLAG(std::string, log_format, "", "text (default) or json: one JSON object per line (env TELEDERM_LOG_FORMAT)");

namespace telederm::metrics {

absl::StatusOr<std::unique_ptr<Observability>> Observability::StartFromFlags(
    absl::string_view default_metrics_listen) {
  const std::string format_text = FlagOrEnv(absl::GetFlag(FLAGS_log_format), "TELEDERM_LOG_FORMAT", "text");
  LogFormat format;
  if (!ParseLogFormat(format_text, &format)) {
    return absl::InvalidArgumentError(absl::StrCat("--log_format: '", format_text, "' is neither text nor json"));
  }
  SetLogFormat(format);
  std::string listen = FlagOrEnv(absl::GetFlag(FLAGS_metrics_listen), "TELEDERM_METRICS_LISTEN", default_metrics_listen);
  if (listen == "off") listen.clear();
  absl::StatusOr<std::unique_ptr<Observability>> started = Start(listen);
  if (started.ok() || started.status().code() != absl::StatusCode::kUnavailable) return started;
  LogError(absl::StrCat(started.status().message(), "; serving without a /metrics endpoint"));
  return Start("");
}

absl::StatusOr<std::unique_ptr<Observability>> Observability::Start(const std::string& listen) {
  std::unique_ptr<Observability> o(new Observability());
  o->registry_ = std::make_shared<prometheus::Registry>();
  o->rpc_ = std::make_shared<RpcMetrics>(*o->registry_);
  if (!listen.empty()) {
    absl::StatusOr<std::unique_ptr<MetricsEndpoint>> endpoint = MetricsEndpoint::Start(listen, o->registry_);
    if (!endpoint.ok()) return endpoint.status();
    o->endpoint_ = std::move(*endpoint);
    LogInfo(absl::StrCat("metrics on http://", listen.substr(0, listen.rfind(':')), ":", o->endpoint_->port(),
                         "/metrics"));
  }
  return o;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> Observability::NewRpcInterceptorFactory()
    const {
  return NewRpcMetricsInterceptorFactory(rpc_);
}

void Observability::AddPipelineGauges(std::shared_ptr<redis::Client> redis, ClockPtr clock,
                                      PipelineGaugeOptions options) {
  AddCollectable(std::make_shared<PipelineGauges>(std::move(redis), std::move(clock), std::move(options)));
}

void Observability::AddCollectable(std::shared_ptr<prometheus::Collectable> collectable) {
  gauges_.push_back(collectable);
  if (endpoint_ != nullptr) endpoint_->Register(collectable);
}

StreamHandler Observability::Timed(const std::string& histogram_name, const std::string& help,
                                   StreamHandler handler) {
  return TimedStreamHandler(*registry_, histogram_name, help, std::move(handler));
}

}  // namespace telederm::metrics
