#ifndef TELEDERM_SERVICES_REFERRAL_PLACEMENT_H_
#define TELEDERM_SERVICES_REFERRAL_PLACEMENT_H_

#include <string>

#include "absl/time/time.h"
#include "services/referral/options.h"
#include "telederm/v1/case.pb.h"

namespace telederm::referral {

// Where a screened case waits, and from when it is due. Pure logic.
struct Placement {
  std::string pool;
  v1::Urgency urgency = v1::URGENCY_URGENT;
  absl::Time due;
};

// The pool a case is routed to. Today every case goes to the default pool;
// routing by region or case type will plug in here.
std::string RoutePool(const v1::Case& c, const ReferralOptions& options);

// The urgency a case is queued with: the triage tier, except that a case
// pre-screening did not judge (no result, screened == false, or no tier) is
// URGENT, so a human sees it soon (ARCHITECTURE.md invariant 4).
v1::Urgency QueueUrgency(const v1::Case& c);

// Pool, urgency and due time (received_at + the tier's target) of `c`.
Placement PlaceCase(const v1::Case& c, const ReferralOptions& options);

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_PLACEMENT_H_
