#ifndef TELEDERM_SERVICES_REFERRAL_PLACEMENT_H_
#define TELEDERM_SERVICES_REFERRAL_PLACEMENT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/referral/options.h"
#include "services/referral/routing.h"
#include "telederm/v1/case.pb.h"
#include "telederm/v1/referral.pb.h"

namespace telederm::referral {

// Where a screened case waits, and from when it is due. Pure logic.
struct Placement {
  std::string pool;
  v1::Urgency urgency = v1::URGENCY_URGENT;
  absl::Time due;
};

// The specialty a case needs: dermato-oncology when a malignancy is suspected
// (an URGENT suspected tumour, or a suspected melanoma or carcinoma scored
// 0.5 or more), paediatric dermatology for a patient younger than 16,
// general dermatology otherwise.
v1::Specialty WantedSpecialty(const v1::Case& c);

// The pool a case is routed to: among the pools of the wanted specialty (else
// of general dermatology) that serve the clinic's region and language (a pool
// with no regions or languages serves all), the one matching most
// specifically (region counts more than language), ties by name. The
// default pool when no pool fits or none is defined. A clinic without a
// profile in `routing` has no region or language.
std::string RoutePool(const v1::Case& c, const Routing& routing, const ReferralOptions& options);

// The urgency a case is queued with: the triage tier, except that a case
// pre-screening did not judge (no result, screened == false, or no tier) is
// URGENT, so a human sees it soon (ARCHITECTURE.md invariant 4).
v1::Urgency QueueUrgency(const v1::Case& c);

// Pool, urgency and due time (received_at + the tier's target) of a case
// queued for the first time.
Placement PlaceCase(const v1::Case& c, const Routing& routing, const ReferralOptions& options);

// Restarts the service-level clock of a case the clinic answered
// (docs/WORKFLOW.md): the pause runs from info_requested_at to the case's last
// change out of needs_info (the answer), and due_at and paused grow by it.
// Applies once: false, and nothing changed, when no pause is open
// (info_requested_at unset).
bool ResumeAfterAnswer(v1::Case& c);

// Of a case that comes back from triage after the clinic answered with new
// images (its pause already closed by ResumeAfterAnswer): it keeps its pool, and its due time (which already includes the
// time it waited for the answer) unless the new tier makes it due sooner:
// due = min(due_at, received_at + new tier's target + paused).
Placement PlaceRescreenedCase(const v1::Case& c, const ReferralOptions& options);

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_PLACEMENT_H_
