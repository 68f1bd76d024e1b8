#include "services/referral/options.h"

#include "absl/strings/str_cat.h"
#include "common/ids/ids.h"

namespace telederm::referral {

absl::Status ValidateOptions(const ReferralOptions& options) {
  const ServiceLevelTargets& t = options.targets;
  if (t.urgent <= absl::ZeroDuration() || !(t.urgent < t.soon && t.soon < t.routine)) {
    return absl::InvalidArgumentError(absl::StrCat("service-level targets must satisfy 0 < urgent_target (",
                                                   absl::FormatDuration(t.urgent), ") < soon_target (",
                                                   absl::FormatDuration(t.soon), ") < routine_target (",
                                                   absl::FormatDuration(t.routine), ")"));
  }
  if (options.lease < absl::Seconds(1)) return absl::InvalidArgumentError("lease must be at least 1s");
  if (options.reap_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("reap_interval must be positive");
  }
  if (options.reclaim_idle <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("reclaim_idle must be positive");
  }
  if (options.fairness_window < absl::ZeroDuration() || options.fairness_window >= t.urgent) {
    return absl::InvalidArgumentError("fairness_window must be 0 or more and shorter than urgent_target");
  }
  if (!IsValidExternalId(options.default_pool, 64)) {
    return absl::InvalidArgumentError("default_pool must be 1..64 characters of A-Z a-z 0-9 . _ : -");
  }
  return absl::OkStatus();
}

}  // namespace telederm::referral
