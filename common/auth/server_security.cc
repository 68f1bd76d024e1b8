#include "common/auth/server_security.h"

#include <fstream>
#include <sstream>

#include <grpcpp/security/server_credentials.h>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit_log.h"
#include "common/auth/audit_interceptor.h"
#include "common/auth/call_authenticator.h"
#include "common/auth/security_service.h"
#include "common/auth/token.h"
#include "common/auth/verified_tokens.h"
#include "common/caller/verified_identity.h"
#include "common/config/server_config.h"
#include "common/logging/log.h"

ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain this server presents (env TELEDERM_TLS_CERT)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert (env TELEDERM_TLS_KEY)");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA whose client certificates are verified (env TELEDERM_TLS_CLIENT_CA); optional");
ABSL_FLAG(bool, require_client_cert, false, "mutual TLS: refuse connections without a client certificate");
ABSL_FLAG(bool, plaintext_for_development, false,
          "DEVELOPMENT ONLY: no TLS; accepts loopback connections only. Tokens are still required");
ABSL_FLAG(std::string, token_keys, "", "bearer-token key file: '<kid> <hex secret>' lines (env TELEDERM_TOKEN_KEYS)");
ABSL_FLAG(double, clinic_rate, 20, "requests per second a clinic may sustain (token bucket)");
ABSL_FLAG(double, clinic_burst, 100, "requests a clinic may send at once after a quiet spell");
ABSL_FLAG(double, anonymous_rate, 1,
          "calls per second a connection may make without a valid token (refused UNAUTHENTICATED) before "
          "such calls are refused RESOURCE_EXHAUSTED unchecked");
ABSL_FLAG(double, anonymous_burst, 20, "calls without a valid token a connection may make at once");

namespace telederm::auth {
namespace {

// Connections whose calls without a valid token are limited at once: beyond
// it, those whose buckets filled up again are forgotten first (LocalBuckets).
constexpr size_t kMaxLimitedConnections = 10000;

absl::StatusOr<std::string> ReadPem(absl::string_view flag, const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("--", flag, ": cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", path, " is not a PEM file"));
  }
  return text.str();
}

}  // namespace

SecurityOptions SecurityOptionsFromFlags() {
  SecurityOptions options;
  options.tls_cert_file = FlagOrEnv(absl::GetFlag(FLAGS_tls_cert), "TELEDERM_TLS_CERT", "");
  options.tls_key_file = FlagOrEnv(absl::GetFlag(FLAGS_tls_key), "TELEDERM_TLS_KEY", "");
  options.tls_client_ca_file = FlagOrEnv(absl::GetFlag(FLAGS_tls_client_ca), "TELEDERM_TLS_CLIENT_CA", "");
  options.require_client_cert = absl::GetFlag(FLAGS_require_client_cert);
  options.plaintext_for_development = absl::GetFlag(FLAGS_plaintext_for_development);
  options.token_keys_file = FlagOrEnv(absl::GetFlag(FLAGS_token_keys), "TELEDERM_TOKEN_KEYS", "");
  options.clinic_rate.per_second = absl::GetFlag(FLAGS_clinic_rate);
  options.clinic_rate.burst = absl::GetFlag(FLAGS_clinic_burst);
  options.anonymous_rate.per_second = absl::GetFlag(FLAGS_anonymous_rate);
  options.anonymous_rate.burst = absl::GetFlag(FLAGS_anonymous_burst);
  return options;
}

absl::StatusOr<ServerSecurity> MakeServerSecurity(const SecurityOptions& options,
                                                  std::shared_ptr<redis::Client> redis, ClockPtr clock,
                                                  prometheus::Registry* registry) {
  if (options.token_keys_file.empty()) {
    return absl::InvalidArgumentError("--token_keys: every server verifies bearer tokens; give the key file");
  }
  absl::StatusOr<KeyRing> keys = KeyRing::Load(options.token_keys_file);
  if (!keys.ok()) return absl::InvalidArgumentError(absl::StrCat("--token_keys: ", keys.status().message()));
  if (options.clinic_rate.per_second <= 0 || options.clinic_rate.burst < 1) {
    return absl::InvalidArgumentError("--clinic_rate must be > 0 and --clinic_burst >= 1");
  }
  if (options.anonymous_rate.per_second <= 0 || options.anonymous_rate.burst < 1) {
    return absl::InvalidArgumentError("--anonymous_rate must be > 0 and --anonymous_burst >= 1");
  }

  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (options.plaintext_for_development) {
    if (!options.tls_cert_file.empty()) {
      return absl::InvalidArgumentError("--plaintext_for_development and --tls_cert exclude each other");
    }
    LogWarning("*** --plaintext_for_development: NO TLS. Patient data crosses the wire unencrypted. Only "
               "loopback connections are accepted. Never use this in production. ***");
    credentials = grpc::experimental::LocalServerCredentials(LOCAL_TCP);
  } else {
    if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
      return absl::InvalidArgumentError(
          "--tls_cert and --tls_key are required (deploy/dev-certs.sh makes a development set), or run with "
          "--plaintext_for_development on loopback");
    }
    absl::StatusOr<std::string> cert = ReadPem("tls_cert", options.tls_cert_file);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadPem("tls_key", options.tls_key_file);
    if (!key.ok()) return key.status();
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({*key, *cert});
    if (!options.tls_client_ca_file.empty()) {
      absl::StatusOr<std::string> ca = ReadPem("tls_client_ca", options.tls_client_ca_file);
      if (!ca.ok()) return ca.status();
      ssl.pem_root_certs = *ca;
      ssl.client_certificate_request = options.require_client_cert
                                           ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                           : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
    } else if (options.require_client_cert) {
      return absl::InvalidArgumentError("--require_client_cert needs --tls_client_ca");
    }
    credentials = grpc::SslServerCredentials(ssl);
  }

  // Handlers and the audit interceptor verify each call's own token with the
  // same ring; the gate's VerifiedTokens remembers it, so they only look it up.
  auto tokens = std::make_shared<VerifiedTokens>(*keys);
  InstallTokenVerifier([tokens, clock](absl::string_view token) -> absl::StatusOr<VerifiedIdentity> {
    absl::StatusOr<Claims> claims = tokens->Verify(token, clock->Now());
    if (!claims.ok()) return claims.status();
    return VerifiedIdentity{std::string(RoleName(claims->role)), claims->subject, claims->clinic_id, claims->pools};
  });
  auto audit_log = std::make_shared<audit::AuditLog>(redis);
  auto audit_writer = std::make_shared<audit::AuditWriter>(audit_log);
  auto revocations = std::make_shared<Revocations>(redis);
  auto limiter = std::make_shared<rate_limit::RateLimiter>(redis, clock, options.clinic_rate);
  auto refusals = std::make_shared<AnonymousRefusals>(registry, clock);
  auto anonymous_limit = std::make_shared<rate_limit::LocalBuckets>(options.anonymous_rate, kMaxLimitedConnections);
  credentials->SetAuthMetadataProcessor(std::make_shared<CallAuthenticator>(CallAuthenticator::Parts{
      *std::move(keys), clock, revocations, audit_writer, limiter, redis, tokens, refusals, anonymous_limit}));

  ServerSecurity security;
  security.credentials = std::move(credentials);
  security.interceptors.push_back(std::make_unique<AuditInterceptorFactory>(audit_writer, clock));
  security.services.push_back(std::make_shared<SecurityServiceImpl>(audit_log, revocations, clock));
  security.keep_alive = audit_writer;
  return security;
}

}  // namespace telederm::auth
