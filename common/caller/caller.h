#ifndef TELEDERM_COMMON_CALLER_CALLER_H_
#define TELEDERM_COMMON_CALLER_CALLER_H_

#include <string>
#include <vector>

#include <grpcpp/server_context.h>

#include "absl/status/statusor.h"

namespace telederm {

// Who is calling an RPC. This is the one place a request's identity is read:
// today from plain request metadata (a development stand-in), later from a
// verified token, without the handlers changing.
struct Caller {
  // Supervisors are specialists whose stored profile says so; the referral
  // service decides that (services/referral/access.h).
  enum class Role { kClinic, kSpecialist, kAdmin };
  Role role = Role::kClinic;
  std::string id;                  // clinic id, specialist id or administrator id
  std::vector<std::string> pools;  // specialists: the pools they work
};

// Metadata keys the development identity is read from.
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
