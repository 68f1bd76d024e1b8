#ifndef TELEDERM_COMMON_AUTH_CALL_AUTHENTICATOR_H_
#define TELEDERM_COMMON_AUTH_CALL_AUTHENTICATOR_H_

#include <memory>
#include <string>

#include <grpcpp/security/auth_metadata_processor.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/audit/audit_log.h"
#include "common/auth/anonymous_refusals.h"
#include "common/auth/claims.h"
#include "common/auth/key_ring.h"
#include "common/auth/revocation.h"
#include "common/auth/verified_tokens.h"
#include "common/clock/clock.h"
#include "common/rate_limit/local_buckets.h"
#include "common/rate_limit/rate_limiter.h"

namespace telederm::auth {

// The one gate every call passes before its handler runs (installed on the
// server credentials by GrpcServer). For the method in ":path" it applies
// the policy table: open methods pass; otherwise the call must carry
// "authorization: Bearer <token>", the token must verify against the key
// ring and not be revoked (UNAUTHENTICATED otherwise), its role must be
// allowed for the method (PERMISSION_DENIED otherwise), and a clinic must be
// within its rate limit (RESOURCE_EXHAUSTED).
//
// A refusal of a verified caller (revoked, wrong role) is audited: it names
// who tried. A call that shows no verifiable identity (no token, or one that
// does not verify) is counted by AnonymousRefusals, not audited. Such calls
// are limited per connection (`anonymous_limit`): once a connection's bucket
// is empty, a call on it whose token this process has not verified before is
// RESOURCE_EXHAUSTED without its signature being checked, so one client
// cannot spend the service's time on forged tokens; a token verified before
// (a clinic's, even on that connection) passes as usual. gRPC shows this
// processor neither the peer's address nor the connection, only the
// connection's AuthContext: the first call on a connection marks it with a
// process-unique id, and that id keys the bucket.
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
    std::shared_ptr<AnonymousRefusals> refusals;  // null: counted in memory only
    // Calls without a verifiable identity, per connection; null: no limit.
    std::shared_ptr<rate_limit::LocalBuckets> anonymous_limit;
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
  // The claims of the header's token, or UNAUTHENTICATED: no verifiable identity.
  absl::StatusOr<Claims> Identify(absl::string_view authorization, absl::Time now);
  // For a verified caller: not revoked, its role allowed, a clinic within its rate.
  absl::Status Admit(absl::string_view method, const Claims& claims, absl::string_view break_glass_reason);
  // Counts an anonymous refusal and returns it as gRPC's status.
  grpc::Status RefuseAnonymous(AnonymousRefusal reason, absl::string_view method, const absl::Status& status);
  // Audits the refusal of a verified caller.
  void AuditRefusal(const InputMetadata& metadata, const grpc::AuthContext& context, absl::string_view method,
                    const Claims& claims, const absl::Status& refusal);

  Parts parts_;
};

// The peer as the audit trail records it: the client certificate's subject
// when mutual TLS verified one, else "-" (the address is added by the audit
// interceptor, which sees it).
std::string CertificatePeer(const grpc::AuthContext& context);

}  // namespace telederm::auth

#endif  // TELEDERM_COMMON_AUTH_CALL_AUTHENTICATOR_H_
