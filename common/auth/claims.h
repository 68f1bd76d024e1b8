#ifndef TELEDERM_COMMON_AUTH_CLAIMS_H_
#define TELEDERM_COMMON_AUTH_CLAIMS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace telederm::auth {

// What a token may let its bearer do; the policy table (policy.h) maps each
// RPC to the roles allowed to call it.
enum class Role { kClinic, kSpecialist, kSupervisor, kAdmin, kService };

// "clinic", "specialist", "supervisor", "admin", "service".
absl::string_view RoleName(Role role);
std::optional<Role> ParseRole(absl::string_view name);

// The verified content of a bearer token. A plain value type.
struct Claims {
  std::string subject;             // who: a clinic device, a specialist, an operator
  Role role = Role::kClinic;
  std::string clinic_id;           // kClinic only: the clinic whose cases the bearer may touch
  std::vector<std::string> pools;  // kSpecialist / kSupervisor: the pools they work or supervise
  absl::Time issued_at;
  absl::Time expires_at;
  std::string token_id;            // "jti": what revocation names
  std::string key_id;              // "kid" of the key that signed it (from the token header)
};

}  // namespace telederm::auth

#endif  // TELEDERM_COMMON_AUTH_CLAIMS_H_
