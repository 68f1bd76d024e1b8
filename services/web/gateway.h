#ifndef TELEDERM_SERVICES_WEB_GATEWAY_H_
#define TELEDERM_SERVICES_WEB_GATEWAY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/web/backends.h"
#include "services/web/exchange.h"

namespace telederm::web {

struct GatewayOptions {
  std::string listen = "127.0.0.1:8443";  // "host:port"; port 0 picks a free one
  BackendOptions backends;
  // The gateway's own TLS identity towards browsers (PEM files).
  std::string tls_cert_file;
  std::string tls_key_file;
  // No TLS towards browsers or services; only on a loopback address.
  bool plaintext_for_development = false;
  std::string static_dir;
  std::string icd10_table;
  int threads = 2;
  int max_streams_per_peer = 16;
  ConnectionLimits limits;
};

// telederm-web: serves the console's pages and forwards its JSON API to the
// services with each caller's own token (docs/WEB.md). Holds no state between
// requests and no credentials of its own. Start() returns once it listens;
// destroying it closes the listener and every connection and joins its threads.
class Gateway {
 public:
  // INVALID_ARGUMENT naming the flag for bad options; UNAVAILABLE when the
  // address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Gateway>> Start(GatewayOptions options);
  virtual ~Gateway() = default;

  // The port it listens on (the chosen one when asked for port 0).
  virtual int port() const = 0;
};

}  // namespace telederm::web

#endif  // TELEDERM_SERVICES_WEB_GATEWAY_H_
