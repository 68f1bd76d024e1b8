#include "common/caller/verified_identity.h"

#include <atomic>
#include <string>

#include "absl/strings/str_split.h"

namespace telederm {
namespace {

std::atomic<bool> unverified_headers_allowed{false};

std::optional<std::string> Property(const grpc::AuthContext& auth, const char* name) {
  std::vector<grpc::string_ref> values = auth.FindPropertyValues(name);
  if (values.empty()) return std::nullopt;
  return std::string(values[0].data(), values[0].size());
}

}  // namespace

std::optional<absl::StatusOr<Caller>> VerifiedCaller(const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) return std::nullopt;
  std::optional<std::string> role = Property(*auth, kVerifiedRoleProperty);
  if (!role.has_value()) return std::nullopt;
  Caller caller;
  std::string subject = Property(*auth, kVerifiedSubjectProperty).value_or("");
  if (*role == "clinic") {
    caller.role = Caller::Role::kClinic;
    caller.id = Property(*auth, kVerifiedClinicProperty).value_or("");
  } else if (*role == "specialist" || *role == "supervisor") {
    caller.role = Caller::Role::kSpecialist;
    caller.id = subject;
    caller.pools = absl::StrSplit(Property(*auth, kVerifiedPoolsProperty).value_or(""), ',', absl::SkipEmpty());
  } else if (*role == "admin") {
    caller.role = Caller::Role::kAdmin;
    caller.id = subject;
  } else {
    return absl::StatusOr<Caller>(absl::PermissionDeniedError("a " + *role + " token may not call this"));
  }
  if (caller.id.empty()) {
    return absl::StatusOr<Caller>(absl::UnauthenticatedError("the verified identity names nobody"));
  }
  return absl::StatusOr<Caller>(std::move(caller));
}

void AllowUnverifiedIdentityHeaders() { unverified_headers_allowed.store(true); }
bool UnverifiedIdentityHeadersAllowed() { return unverified_headers_allowed.load(); }

}  // namespace telederm
