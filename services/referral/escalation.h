#ifndef TELEDERM_SERVICES_REFERRAL_ESCALATION_H_
#define TELEDERM_SERVICES_REFERRAL_ESCALATION_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/case_store/case_store.h"
#include "common/clock/clock.h"
#include "common/redis/client.h"
#include "services/referral/profile_directory.h"
#include "services/referral/queue_events.h"
#include "services/referral/queue_index.h"

namespace telederm::referral {

// Tells a pool's supervisors when a waiting case passes its due time: an
// ESCALATED QueueEvent in the pool's event stream, naming the supervisors,
// which WatchQueue delivers to them. Once per case and due time, however many
// referral processes check at once (QueueIndex::MarkEscalated). A case in
// needs_info is not in the queue, so its paused clock cannot escalate it.
//
// Thread-safe.
class Escalator {
 public:
  Escalator(std::shared_ptr<redis::Client> redis, ClockPtr clock);

  // One pass over every pool (up to 100 overdue cases each). Returns how many
  // escalations it sent.
  absl::StatusOr<int> CheckOnce();

 private:
  ClockPtr clock_;
  CaseStore store_;
  QueueIndex index_;
  QueueEventLog queue_events_;
  ProfileDirectory directory_;
};

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_ESCALATION_H_
