#include "services/referral/access.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace telederm::referral {

bool Staff::WorksIn(absl::string_view pool) const {
  return std::find(pools.begin(), pools.end(), pool) != pools.end();
}

bool Staff::Supervises(absl::string_view pool) const {
  return std::find(supervises.begin(), supervises.end(), pool) != supervises.end();
}

std::string DirectPool(absl::string_view specialist_id) { return absl::StrCat("direct:", specialist_id); }

Access::Access(std::shared_ptr<Directory> directory) : directory_(std::move(directory)) {}

absl::StatusOr<Staff> Access::ResolveSpecialist(const Caller& caller) const {
  if (caller.role != Caller::Role::kSpecialist) return absl::PermissionDeniedError("only a specialist may call this");
  Staff staff;
  staff.id = caller.id;
  absl::StatusOr<std::optional<v1::SpecialistProfile>> profile = directory_->GetSpecialist(caller.id);
  if (!profile.ok()) return profile.status();
  if (profile->has_value()) {
    staff.has_profile = true;
    staff.pools.assign((*profile)->pools().begin(), (*profile)->pools().end());
    staff.supervises.assign((*profile)->supervises().begin(), (*profile)->supervises().end());
  } else {
    staff.pools = caller.pools;
  }
  staff.pools.push_back(DirectPool(caller.id));
  return staff;
}

absl::Status Access::CheckCanRead(const Staff& staff, const v1::Case& c) const {
  const bool holds = c.status() == v1::CASE_STATUS_CLAIMED && c.claim().specialist_id() == staff.id;
  if (holds || staff.WorksIn(c.pool()) || staff.Supervises(c.pool()) || c.report().specialist_id() == staff.id) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat("case ", c.case_id(), " is in pool '", c.pool(),
                                                  "', which you neither work in nor supervise"));
}

absl::Status Access::CheckSupervises(const Staff& staff, absl::string_view pool) const {
  if (staff.Supervises(pool)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("only a supervisor of pool '", pool, "' may do this",
                                                  staff.has_profile ? "" : " (you have no specialist profile)"));
}

}  // namespace telederm::referral
