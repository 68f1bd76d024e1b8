#ifndef TELEDERM_COMMON_AUTH_SERVER_SECURITY_H_
#define TELEDERM_COMMON_AUTH_SERVER_SECURITY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/clock/clock.h"
#include "common/rate_limit/rate_limiter.h"
#include "common/redis/client.h"
#include "common/server/grpc_server.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace telederm::auth {

// Every service binary's security settings (flags in server_security.cc,
// each with a TELEDERM_* environment fallback).
struct SecurityOptions {
  std::string tls_cert_file;     // --tls_cert: PEM certificate chain the server presents
  std::string tls_key_file;      // --tls_key: its PEM private key
  std::string tls_client_ca_file;  // --tls_client_ca: PEM CA that signs clinic devices' certificates
  bool require_client_cert = false;  // --require_client_cert: mutual TLS for every connection
  bool plaintext_for_development = false;  // --plaintext_for_development: loopback-only, no TLS
  std::string token_keys_file;   // --token_keys: the key ring (key_ring.h)
  rate_limit::RateLimit clinic_rate;  // --clinic_rate, --clinic_burst
  // --anonymous_rate, --anonymous_burst: calls without a verifiable identity, per connection
  rate_limit::RateLimit anonymous_rate = {.per_second = 1, .burst = 20};
};

SecurityOptions SecurityOptionsFromFlags();

// TLS credentials (or, with plaintext_for_development, gRPC's local TCP
// credentials, which accept loopback peers only, with a loud warning) with a
// CallAuthenticator, the audit interceptor and the SecurityService.
// INVALID_ARGUMENT naming the flag when a file is missing or unreadable, when
// neither TLS nor the plaintext flag is given, or when a client CA is
// required but not given. Refusals of calls without a verifiable identity
// are counted in `registry` (AnonymousRefusals; null: not exported), which
// must outlive the server.
absl::StatusOr<ServerSecurity> MakeServerSecurity(const SecurityOptions& options,
                                                  std::shared_ptr<redis::Client> redis, ClockPtr clock,
                                                  prometheus::Registry* registry);

}  // namespace telederm::auth

#endif  // TELEDERM_COMMON_AUTH_SERVER_SECURITY_H_
