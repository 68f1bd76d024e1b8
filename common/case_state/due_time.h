#ifndef TELEDERM_COMMON_CASE_STATE_DUE_TIME_H_
#define TELEDERM_COMMON_CASE_STATE_DUE_TIME_H_

#include "absl/time/time.h"
#include "telederm/v1/case.pb.h"

namespace telederm {

// Service-level targets of the urgency tiers (ARCHITECTURE.md invariant 3).
// Must satisfy urgent < soon < routine so that a suspected malignancy is due
// before any routine case received in the same period.
struct ServiceLevelTargets {
  absl::Duration urgent = absl::Hours(24);
  absl::Duration soon = absl::Hours(72);
  absl::Duration routine = absl::Hours(24 * 7);
};

// received + the tier's target. An unspecified tier is treated as URGENT:
// when in doubt, a human looks sooner.
absl::Time DueTime(absl::Time received, v1::Urgency urgency, const ServiceLevelTargets& targets);

}  // namespace telederm

#endif  // TELEDERM_COMMON_CASE_STATE_DUE_TIME_H_
