#ifndef TELEDERM_SERVICES_REFERRAL_ACCESS_H_
#define TELEDERM_SERVICES_REFERRAL_ACCESS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/access/case_access.h"
#include "common/caller/caller.h"

namespace telederm::referral {

// What only the referral service decides about a specialist. Who may see a
// case is not decided here but by CaseAccess (common/access).

// The specialist behind `caller`, as CaseAccess resolves them;
// PERMISSION_DENIED for any other role.
absl::StatusOr<Reader> ResolveSpecialist(const CaseAccess& access, const Caller& caller);

// OK when `staff` supervises `pool` (may reassign its cases and receives its
// escalations); PERMISSION_DENIED otherwise.
absl::Status CheckSupervises(const Reader& staff, absl::string_view pool);

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_ACCESS_H_
