#ifndef TELEDERM_COMMON_CALLER_CALLER_H_
#define TELEDERM_COMMON_CALLER_CALLER_H_

#include <string>
#include <vector>

#include <grpcpp/server_context.h>

#include "absl/status/statusor.h"

namespace telederm {

// Who is calling an RPC. This is the one place a request's identity is read:
// from the call's verified bearer token (common/auth, verified_identity.h); on
// servers of in-process tests, which run without an authenticator, from the
// plain metadata below.
struct Caller {
  // Supervisors are specialists whose stored profile says so; CaseAccess
  // (common/access) reads that profile when it resolves the caller.
  enum class Role { kClinic, kSpecialist, kAdmin };
  Role role = Role::kClinic;
  std::string id;                  // clinic id, specialist id or administrator id
  std::vector<std::string> pools;  // specialists: the pools they work
};

// Metadata keys the identity is read from on in-process tests' servers only.
inline constexpr char kClinicIdHeader[] = "x-telederm-clinic-id";
inline constexpr char kSpecialistIdHeader[] = "x-telederm-specialist-id";
inline constexpr char kAdminIdHeader[] = "x-telederm-admin-id";
inline constexpr char kPoolsHeader[] = "x-telederm-pools";  // comma-separated; default "general"
inline constexpr char kDefaultPool[] = "general";

// UNAUTHENTICATED when the call carries no identity or a malformed one.
absl::StatusOr<Caller> IdentifyCaller(const grpc::ServerContextBase& context);
// As IdentifyCaller, and PERMISSION_DENIED when the caller has another role.
absl::StatusOr<Caller> RequireClinic(const grpc::ServerContextBase& context);
absl::StatusOr<Caller> RequireSpecialist(const grpc::ServerContextBase& context);
absl::StatusOr<Caller> RequireAdmin(const grpc::ServerContextBase& context);

}  // namespace telederm

#endif  // TELEDERM_COMMON_CALLER_CALLER_H_
