#ifndef TELEDERM_COMMON_METRICS_METRICS_ENDPOINT_H_
#define TELEDERM_COMMON_METRICS_METRICS_ENDPOINT_H_

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
// format (prometheus-cpp's Exposer on civetweb, its own two threads).
// Serving stops when it is destroyed. Thread-safe.
class MetricsEndpoint {
 public:
  // Binds `listen` ("host:port"; port 0 picks a free one). UNAVAILABLE when it
  // cannot bind, INVALID_ARGUMENT for a malformed address.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(const std::string& listen,
                                                                std::shared_ptr<prometheus::Registry> registry);
  ~MetricsEndpoint();

  int port() const { return port_; }
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
