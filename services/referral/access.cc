#include "services/referral/access.h"

#include "absl/strings/str_cat.h"

namespace telederm::referral {

absl::StatusOr<Reader> ResolveSpecialist(const CaseAccess& access, const Caller& caller) {
  if (caller.role != Caller::Role::kSpecialist) return absl::PermissionDeniedError("only a specialist may call this");
  return access.Resolve(caller);
}

absl::Status CheckSupervises(const Reader& staff, absl::string_view pool) {
  if (staff.Supervises(pool)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("only a supervisor of pool '", pool, "' may do this",
                                                  staff.has_profile ? "" : " (you have no specialist profile)"));
}

}  // namespace telederm::referral
