#ifndef TELEDERM_COMMON_CALLER_VERIFIED_IDENTITY_H_
#define TELEDERM_COMMON_CALLER_VERIFIED_IDENTITY_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/server_context.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/caller/caller.h"

namespace telederm {

// Who a verified bearer token says is calling.
struct VerifiedIdentity {
  std::string role;     // "clinic", "specialist", "supervisor", "admin", "service"
  std::string subject;  // the token's "sub"
  std::string clinic;   // clinic tokens
  std::vector<std::string> pools;  // specialist and supervisor tokens
};

// Verifies a bearer token (without "Bearer "): UNAUTHENTICATED when it does not.
using TokenVerifier = std::function<absl::StatusOr<VerifiedIdentity>(absl::string_view token)>;

// Installed once per process by common/auth's MakeServerSecurity. From then on
// every call's own "authorization: Bearer" header is verified where its
// identity is needed. (gRPC's auth context is shared by every call of a
// connection, so it cannot carry a per-call identity.)
void InstallTokenVerifier(TokenVerifier verifier);

// The identity of this call's bearer token; nullopt when no verifier is
// installed (in-process tests); UNAUTHENTICATED when the token is missing or
// does not verify.
std::optional<absl::StatusOr<VerifiedIdentity>> VerifiedIdentityOf(const grpc::ServerContextBase& context);

// The same as a Caller for the handlers. PERMISSION_DENIED for a role no
// handler serves ("service").
std::optional<absl::StatusOr<Caller>> VerifiedCaller(const grpc::ServerContextBase& context);

// In-process tests only: lets IdentifyCaller fall back to the unverified
// x-telederm-* headers when no token verifier is installed. Set by
// GrpcServer::Start without ServerSecurity; a service binary never calls it.
void AllowUnverifiedIdentityHeaders();
bool UnverifiedIdentityHeadersAllowed();

}  // namespace telederm

#endif  // TELEDERM_COMMON_CALLER_VERIFIED_IDENTITY_H_
