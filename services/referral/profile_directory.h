#ifndef TELEDERM_SERVICES_REFERRAL_PROFILE_DIRECTORY_H_
#define TELEDERM_SERVICES_REFERRAL_PROFILE_DIRECTORY_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/redis/client.h"
#include "services/referral/routing.h"
#include "telederm/v1/referral.pb.h"

namespace telederm::referral {

// The stored directory behind routing and authorisation: specialists' profiles
// (pools, languages, pools they supervise), pools (specialty, regions,
// languages) and clinics (region, language). Three Redis hashes (keys.h,
// kDirectory*), written by AdminService and read on every routing decision.
// Put* validate and return INVALID_ARGUMENT naming the field.
// Thread-safe: holds only the thread-safe redis::Client.
class ProfileDirectory {
 public:
  explicit ProfileDirectory(std::shared_ptr<redis::Client> redis);

  absl::StatusOr<v1::SpecialistProfile> PutSpecialist(v1::SpecialistProfile profile);
  absl::StatusOr<std::optional<v1::SpecialistProfile>> GetSpecialist(absl::string_view specialist_id);
  absl::StatusOr<std::vector<v1::SpecialistProfile>> ListSpecialists();
  // True when there was such a profile.
  absl::StatusOr<bool> DeleteSpecialist(absl::string_view specialist_id);

  absl::StatusOr<v1::PoolProfile> PutPool(v1::PoolProfile pool);
  absl::StatusOr<std::vector<v1::PoolProfile>> ListPools();

  absl::StatusOr<v1::ClinicProfile> PutClinic(v1::ClinicProfile clinic);
  absl::StatusOr<std::optional<v1::ClinicProfile>> GetClinic(absl::string_view clinic_id);
  absl::StatusOr<std::vector<v1::ClinicProfile>> ListClinics();

  // Every pool (sorted by name, as ListPools) and the profile of each of
  // `clinic_ids` (absent: none), read in one round trip.
  absl::StatusOr<Routing> ReadRouting(const std::set<std::string>& clinic_ids);

  // The specialists whose profile says they supervise `pool`.
  absl::StatusOr<std::vector<std::string>> SupervisorsOf(absl::string_view pool);

 private:
  std::shared_ptr<redis::Client> redis_;
};

// A pool name an administrator may create: 1..64 of [A-Za-z0-9._-] (no ':',
// which marks the direct pools of single specialists).
bool IsValidPoolName(absl::string_view pool);

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_PROFILE_DIRECTORY_H_
