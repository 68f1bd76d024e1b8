#include "common/metrics/metrics_endpoint.h"

#include <cstring>
#include <exception>

#include <CivetServer.h>
#include <civetweb.h>
#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace telederm::metrics {
namespace {

absl::Mutex health_mutex;
std::function<bool()>* health_check ABSL_GUARDED_BY(health_mutex) = nullptr;

// civetweb calls this before its own handlers: /healthz is answered here.
int AnswerHealthz(mg_connection* connection) {
  const mg_request_info* request = mg_get_request_info(connection);
  if (request == nullptr || request->local_uri == nullptr || std::string(request->local_uri) != "/healthz") return 0;
  bool serving = false;
  {
    absl::MutexLock lock(&health_mutex);
    serving = health_check != nullptr && (*health_check)();
  }
  const char* body = serving ? "SERVING\n" : "NOT_SERVING\n";
  mg_printf(connection,
            "HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
            serving ? "200 OK" : "503 Service Unavailable", std::strlen(body), body);
  return serving ? 200 : 503;
}

const CivetCallbacks& Callbacks() {
  static const CivetCallbacks* callbacks = [] {
    auto* c = new CivetCallbacks();
    c->begin_request = &AnswerHealthz;
    return c;
  }();
  return *callbacks;
}

}  // namespace

void MetricsEndpoint::SetHealthCheck(std::function<bool()> serving) {
  absl::MutexLock lock(&health_mutex);
  delete health_check;
  health_check = new std::function<bool()>(std::move(serving));
}

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    const std::string& listen, std::shared_ptr<prometheus::Registry> registry) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) {
    return absl::InvalidArgumentError(absl::StrCat("metrics address '", listen, "': expected host:port"));
  }
  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint());
  endpoint->registry_ = std::move(registry);
  try {
    // civetweb throws (CivetException) when it cannot bind; nothing else here throws.
    endpoint->exposer_ = std::make_unique<prometheus::Exposer>(
        std::vector<std::string>{"listening_ports", listen, "num_threads", "2"}, &Callbacks());
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", listen, ": ", e.what()));
  }
  endpoint->exposer_->RegisterCollectable(endpoint->registry_);
  std::vector<int> ports = endpoint->exposer_->GetListeningPorts();
  endpoint->port_ = ports.empty() ? 0 : ports.front();
  return endpoint;
}

void MetricsEndpoint::Register(const std::shared_ptr<prometheus::Collectable>& collectable) {
  exposer_->RegisterCollectable(collectable);
}

MetricsEndpoint::~MetricsEndpoint() = default;

}  // namespace telederm::metrics
