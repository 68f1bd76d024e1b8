#include "services/referral/placement.h"

#include "common/case_state/timestamps.h"

namespace telederm::referral {

std::string RoutePool(const v1::Case& c, const ReferralOptions& options) { return options.default_pool; }

v1::Urgency QueueUrgency(const v1::Case& c) {
  if (!c.has_triage() || !c.triage().screened()) return v1::URGENCY_URGENT;
  switch (c.triage().tier()) {
    case v1::URGENCY_SOON:
    case v1::URGENCY_ROUTINE:
      return c.triage().tier();
    default:
      return v1::URGENCY_URGENT;
  }
}

Placement PlaceCase(const v1::Case& c, const ReferralOptions& options) {
  Placement placement;
  placement.pool = RoutePool(c, options);
  placement.urgency = QueueUrgency(c);
  placement.due = DueTime(FromProtoTimestamp(c.received_at()), placement.urgency, options.targets);
  return placement;
}

}  // namespace telederm::referral
