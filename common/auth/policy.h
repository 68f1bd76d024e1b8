#ifndef TELEDERM_COMMON_AUTH_POLICY_H_
#define TELEDERM_COMMON_AUTH_POLICY_H_

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/auth/claims.h"

namespace telederm::auth {

// Who may call an RPC: the per-method policy table, applied to every call by
// CallAuthenticator before the handler runs. A method missing from the table
// is refused (PERMISSION_DENIED), so a new RPC is closed until it is listed.
// Ownership (which clinic's case, which pool) is checked by the handlers.
struct MethodPolicy {
  absl::string_view method;  // "/telederm.v1.IntakeService/GetCase"
  bool open = false;         // health and reflection: no token needed
  unsigned roles = 0;        // bit set of Role
  bool audited = false;      // every call is written to the audit trail
  // Roles that may call only with a stated reason (kBreakGlassReasonHeader),
  // which the audit entry records: administrators reading a patient's case.
  unsigned break_glass_roles = 0;
};

// Request metadata carrying an administrator's reason for reading patient
// data ("break glass"): 10..500 printable characters, at least 10 of them not
// spaces, e.g. "incident INC-2231: clinic reports a missing report for case c-...".
inline constexpr char kBreakGlassReasonHeader[] = "x-telederm-break-glass-reason";
inline constexpr int kMinBreakGlassReason = 10;
inline constexpr int kMaxBreakGlassReason = 500;

constexpr unsigned RoleBit(Role role) { return 1u << static_cast<unsigned>(role); }

// The entry for `method` (the gRPC ":path"), or nullptr.
const MethodPolicy* FindMethodPolicy(absl::string_view method);
// Every entry, for tests and docs.
const std::vector<MethodPolicy>& MethodPolicies();

// OK, or PERMISSION_DENIED naming the role and method. `policy` may be null.
// `break_glass_reason`: the kBreakGlassReasonHeader of the call, if any; a
// break-glass role is allowed only with a valid one.
absl::Status Authorize(const MethodPolicy* policy, absl::string_view method, Role role,
                       absl::string_view break_glass_reason = {});

// OK when `reason` is a usable break-glass reason; PERMISSION_DENIED saying
// what to send otherwise.
absl::Status CheckBreakGlassReason(absl::string_view reason);

// "IntakeService/GetCase" from "/telederm.v1.IntakeService/GetCase".
std::string ShortMethodName(absl::string_view method);

}  // namespace telederm::auth

#endif  // TELEDERM_COMMON_AUTH_POLICY_H_
