#include "common/caller/caller.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/caller/verified_identity.h"
#include "common/ids/ids.h"

namespace telederm {
namespace {

std::optional<std::string> Header(const grpc::ServerContextBase& context, const char* key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(key);
  if (it == metadata.end()) return std::nullopt;
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

absl::StatusOr<Caller> IdentifyCaller(const grpc::ServerContextBase& context) {
  // A verified bearer token (common/auth) decides; the headers below are read
  // only by in-process tests' servers, which run without an authenticator.
  if (std::optional<absl::StatusOr<Caller>> verified = VerifiedCaller(context)) return *std::move(verified);
  if (!UnverifiedIdentityHeadersAllowed()) {
    return absl::UnauthenticatedError("the call carries no verified identity: send 'authorization: Bearer <token>'");
  }
  std::optional<std::string> clinic = Header(context, kClinicIdHeader);
  std::optional<std::string> specialist = Header(context, kSpecialistIdHeader);
  std::optional<std::string> admin = Header(context, kAdminIdHeader);
  if (clinic.has_value() + specialist.has_value() + admin.has_value() != 1) {
    return absl::UnauthenticatedError(absl::StrCat("the call must identify exactly one clinic (", kClinicIdHeader,
                                                   "), specialist (", kSpecialistIdHeader, ") or administrator (",
                                                   kAdminIdHeader, ")"));
  }
  Caller caller;
  caller.role = clinic ? Caller::Role::kClinic : specialist ? Caller::Role::kSpecialist : Caller::Role::kAdmin;
  caller.id = clinic ? *clinic : specialist ? *specialist : *admin;
  if (!IsValidExternalId(caller.id, 64)) {
    return absl::UnauthenticatedError("caller id must be 1..64 characters of A-Z a-z 0-9 . _ : -");
  }
  if (caller.role == Caller::Role::kSpecialist) {
    std::string pools = Header(context, kPoolsHeader).value_or(kDefaultPool);
    for (absl::string_view pool : absl::StrSplit(pools, ',', absl::SkipWhitespace())) {
      pool = absl::StripAsciiWhitespace(pool);
      if (!IsValidExternalId(pool, 64)) {
        return absl::UnauthenticatedError(absl::StrCat("pool name '", pool, "' is not valid"));
      }
      caller.pools.emplace_back(pool);
    }
    if (caller.pools.empty()) caller.pools.emplace_back(kDefaultPool);
  }
  return caller;
}

absl::StatusOr<Caller> RequireClinic(const grpc::ServerContextBase& context) {
  absl::StatusOr<Caller> caller = IdentifyCaller(context);
  if (caller.ok() && caller->role != Caller::Role::kClinic) {
    return absl::PermissionDeniedError("only a clinic may call this");
  }
  return caller;
}

absl::StatusOr<Caller> RequireSpecialist(const grpc::ServerContextBase& context) {
  absl::StatusOr<Caller> caller = IdentifyCaller(context);
  if (caller.ok() && caller->role != Caller::Role::kSpecialist) {
    return absl::PermissionDeniedError("only a specialist may call this");
  }
  return caller;
}

absl::StatusOr<Caller> RequireAdmin(const grpc::ServerContextBase& context) {
  absl::StatusOr<Caller> caller = IdentifyCaller(context);
  if (caller.ok() && caller->role != Caller::Role::kAdmin) {
    return absl::PermissionDeniedError("only an administrator may call this");
  }
  return caller;
}

}  // namespace telederm
