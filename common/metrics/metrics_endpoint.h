#ifndef TELEDERM_COMMON_METRICS_METRICS_ENDPOINT_H_
#define TELEDERM_COMMON_METRICS_METRICS_ENDPOINT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace prometheus {
class Collectable;
class Exposer;
class Registry;
}  // namespace prometheus

namespace telederm::metrics {

// An HTTP server that answers GET /metrics with `registry` in Prometheus text
// format (prometheus-cpp's Exposer on civetweb, its own two threads), and
// GET /healthz with 200 "SERVING" or 503 "NOT_SERVING" from the health check
// set with SetHealthCheck (for HTTP probes: kubelet's gRPC probe cannot speak
// TLS). Serving stops when it is destroyed. Thread-safe.
class MetricsEndpoint {
 public:
  // Binds `listen` ("host:port"; port 0 picks a free one). UNAVAILABLE when it
  // cannot bind, INVALID_ARGUMENT for a malformed address.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(const std::string& listen,
                                                                std::shared_ptr<prometheus::Registry> registry);
  ~MetricsEndpoint();

  int port() const { return port_; }
  // What /healthz answers, for every endpoint of the process (before it is
  // set: NOT_SERVING). `serving` must be cheap and thread-safe.
  static void SetHealthCheck(std::function<bool()> serving);
  // Serves `collectable` too (collected at every scrape) while it lives.
  void Register(const std::shared_ptr<prometheus::Collectable>& collectable);

 private:
  MetricsEndpoint() = default;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace telederm::metrics

#endif  // TELEDERM_COMMON_METRICS_METRICS_ENDPOINT_H_
