#ifndef TELEDERM_SERVICES_WEB_BACKENDS_H_
#define TELEDERM_SERVICES_WEB_BACKENDS_H_

#include <memory>
#include <string>

#include <grpcpp/generic/generic_stub.h>

#include "absl/status/statusor.h"

namespace telederm::web {

// The service binaries the gateway forwards to.
enum class Backend { kIntake, kTriage, kReferral };

struct BackendOptions {
  std::string intake, triage, referral;  // "host:port"
  // TLS trusting this CA (PEM file; empty: the system's CAs), or plaintext
  // towards services started with --plaintext_for_development.
  std::string tls_ca_file;
  bool plaintext = false;
};

// One channel per service, made once; the gateway holds no other connection
// state and no credentials: each call carries its caller's token. Thread-safe.
class Backends {
 public:
  // INVALID_ARGUMENT naming --tls_ca when it cannot be read. Does not connect.
  static absl::StatusOr<std::unique_ptr<Backends>> Open(const BackendOptions& options);

  grpc::GenericStub& stub(Backend backend);

 private:
  Backends() = default;
  std::unique_ptr<grpc::GenericStub> intake_, triage_, referral_;
};

}  // namespace telederm::web

#endif  // TELEDERM_SERVICES_WEB_BACKENDS_H_
