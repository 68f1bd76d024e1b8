#ifndef TELEDERM_COMMON_AUTH_CALL_AUTHENTICATOR_H_
#define TELEDERM_COMMON_AUTH_CALL_AUTHENTICATOR_H_

#include <memory>
#include <string>

#include <grpcpp/security/auth_metadata_processor.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/audit/audit_log.h"
#include "common/auth/claims.h"
#include "common/auth/key_ring.h"
#include "common/auth/revocation.h"
#include "common/auth/verified_tokens.h"
#include "common/clock/clock.h"
#include "common/rate_limit/rate_limiter.h"

namespace telederm::auth {

// The one gate every call passes before its handler runs (installed on the
// server credentials by GrpcServer). For the method in ":path" it applies
// the policy table: open methods pass; otherwise the call must carry
// "authorization: Bearer <token>", the token must verify against the key
// ring and not be revoked (UNAUTHENTICATED otherwise), its role must be
// allowed for the method (PERMISSION_DENIED otherwise), and a clinic must be
// within its rate limit (RESOURCE_EXHAUSTED). Every refusal is audited.
//
// The revocation check and the clinic's rate limit go to Redis in one
// pipeline (one round trip). So a clinic call whose token turns out revoked
// has already taken one token from its clinic's bucket: it is refused as
// UNAUTHENTICATED all the same, and it costs the clinic exactly what any
// call would (docs/SECURITY.md). Redis away: UNAVAILABLE (revocation fails
// closed); only the limiter's own failure lets the call pass (fails open). A
// passing call keeps its authorization header; IdentifyCaller verifies it
// again for the handler (verified_identity.h), because the AuthContext gRPC
// hands this processor is the connection's, shared by all its calls (with
// the shared VerifiedTokens that second check is a lookup, not an HMAC).
//
// gRPC runs Process on its own threads (IsBlocking), never on a reaction, so
// the Redis round trips here are allowed. Thread-safe.
class CallAuthenticator final : public grpc::AuthMetadataProcessor {
 public:
  struct Parts {
    KeyRing keys;
    ClockPtr clock;
    std::shared_ptr<Revocations> revocations;
    std::shared_ptr<audit::AuditWriter> audit;
    std::shared_ptr<rate_limit::RateLimiter> rate_limiter;  // null: no limit
    std::shared_ptr<redis::Client> redis;  // where `revocations` and `rate_limiter` live
    // Verifies tokens with `keys`, shared with IdentifyCaller's verifier; null: one of its own.
    std::shared_ptr<VerifiedTokens> tokens;
  };
  explicit CallAuthenticator(Parts parts);

  bool IsBlocking() const override { return true; }
  grpc::Status Process(const InputMetadata& metadata, grpc::AuthContext* context, OutputMetadata* consumed,
                       OutputMetadata* response) override;

  // The decision without gRPC types, for tests: the claims, or the refusal.
  // `authorization` is the header's value (empty when absent);
  // `break_glass_reason` that of kBreakGlassReasonHeader (policy.h).
  absl::StatusOr<Claims> Decide(absl::string_view method, absl::string_view authorization,
                                absl::string_view break_glass_reason = {});

 private:
  Parts parts_;
};

// The peer as the audit trail records it: the client certificate's subject
// when mutual TLS verified one, else "-" (the address is added by the audit
// interceptor, which sees it).
std::string CertificatePeer(const grpc::AuthContext& context);

}  // namespace telederm::auth

#endif  // TELEDERM_COMMON_AUTH_CALL_AUTHENTICATOR_H_
