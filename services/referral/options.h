#ifndef TELEDERM_SERVICES_REFERRAL_OPTIONS_H_
#define TELEDERM_SERVICES_REFERRAL_OPTIONS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/case_state/due_time.h"

namespace telederm::referral {

// The referral service's settings (docs/REFERRAL.md lists the flags behind them).
struct ReferralOptions {
  ServiceLevelTargets targets;
  // How long a claim is the specialist's without an ExtendClaim.
  absl::Duration lease = absl::Minutes(15);
  // How often the reaper looks for lapsed leases.
  absl::Duration reap_interval = absl::Seconds(1);
  // How long a triaged entry may sit with a silent consumer before another takes it.
  absl::Duration reclaim_idle = absl::Seconds(30);
  // Where cases go when no stored pool fits them (or none is defined).
  std::string default_pool = "general";
  // Fairness between clinics: ClaimNext may take, instead of the head of the
  // queue, a case of the same tier due at most this much later whose clinic
  // was served longest ago. Zero: strictly earliest due first.
  absl::Duration fairness_window = absl::Minutes(30);
};

// INVALID_ARGUMENT naming the setting when the options cannot work
// (targets out of order, non-positive durations, a malformed pool name).
absl::Status ValidateOptions(const ReferralOptions& options);

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_OPTIONS_H_
