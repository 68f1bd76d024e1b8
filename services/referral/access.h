#ifndef TELEDERM_SERVICES_REFERRAL_ACCESS_H_
#define TELEDERM_SERVICES_REFERRAL_ACCESS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/caller/caller.h"
#include "services/referral/directory.h"
#include "telederm/v1/case.pb.h"

namespace telederm::referral {

// A specialist as the referral service sees them: the pools they claim from
// and the pools they supervise.
struct Staff {
  std::string id;
  // The pools they work: their profile's, plus their direct pool (where a
  // colleague's second-opinion request or a supervisor's reassignment to them waits).
  std::vector<std::string> pools;
  std::vector<std::string> supervises;
  bool has_profile = false;

  bool WorksIn(absl::string_view pool) const;
  bool Supervises(absl::string_view pool) const;
};

// The pool where cases addressed to one specialist wait: "direct:<id>".
std::string DirectPool(absl::string_view specialist_id);

// Every authorisation decision of the referral service, in one place.
// Thread-safe.
class Access {
 public:
  explicit Access(std::shared_ptr<Directory> directory);

  // The specialist behind `caller`. With a stored profile, its pools and
  // supervised pools decide and the caller's own pools (its token's) are
  // ignored; without one (development set-ups) the caller's pools are used and
  // the caller supervises nothing.
  absl::StatusOr<Staff> ResolveSpecialist(const Caller& caller) const;

  // OK when `staff` may read case `c` (its thread, its record): they hold it,
  // they work in or supervise its pool, or they wrote its report.
  // PERMISSION_DENIED otherwise.
  absl::Status CheckCanRead(const Staff& staff, const v1::Case& c) const;
  // OK when `staff` supervises `pool`; PERMISSION_DENIED otherwise.
  absl::Status CheckSupervises(const Staff& staff, absl::string_view pool) const;

 private:
  std::shared_ptr<Directory> directory_;
};

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_ACCESS_H_
