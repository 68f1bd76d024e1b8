#ifndef TELEDERM_COMMON_CALLER_VERIFIED_IDENTITY_H_
#define TELEDERM_COMMON_CALLER_VERIFIED_IDENTITY_H_

#include <optional>

#include <grpcpp/server_context.h>

#include "absl/status/statusor.h"
#include "common/caller/caller.h"

namespace telederm {

// Auth-context properties that common/auth's CallAuthenticator sets once it has
// verified a call's bearer token; IdentifyCaller reads them. A client cannot
// set auth-context properties, only the server's credentials can.
inline constexpr char kVerifiedRoleProperty[] = "telederm.role";        // auth::RoleName
inline constexpr char kVerifiedSubjectProperty[] = "telederm.subject";  // token "sub"
inline constexpr char kVerifiedClinicProperty[] = "telederm.clinic";    // clinic tokens
inline constexpr char kVerifiedPoolsProperty[] = "telederm.pools";      // comma-separated
inline constexpr char kVerifiedTokenIdProperty[] = "telederm.token_id";

// The caller the verified properties describe; nullopt when the call carries
// none (a server without an authenticator). PERMISSION_DENIED for a role no
// handler serves ("service").
std::optional<absl::StatusOr<Caller>> VerifiedCaller(const grpc::ServerContextBase& context);

// In-process tests only: lets IdentifyCaller fall back to the unverified
// x-telederm-* headers when a call carries no verified identity. Set by
// GrpcServer::Start without ServerSecurity; a service binary never calls it.
void AllowUnverifiedIdentityHeaders();
bool UnverifiedIdentityHeadersAllowed();

}  // namespace telederm

#endif  // TELEDERM_COMMON_CALLER_VERIFIED_IDENTITY_H_
