#ifndef TELEDERM_SERVICES_REFERRAL_LEASE_REAPER_H_
#define TELEDERM_SERVICES_REFERRAL_LEASE_REAPER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/case_store/case_store.h"
#include "common/clock/clock.h"
#include "common/redis/client.h"
#include "services/referral/queue_events.h"
#include "services/referral/queue_index.h"

namespace telederm::referral {

// Returns cases whose lease lapsed to their queue, at their original due time,
// and repairs lease and claim index entries that disagree with the case
// record. Any number of reapers, in any number of processes, may run at once:
// the record changes by compare-and-set and the index by token-checked scripts.
//
// Thread-safe.
class LeaseReaper {
 public:
  LeaseReaper(std::shared_ptr<redis::Client> redis, ClockPtr clock);

  // One pass over every pool (up to 100 lapsed leases each). Returns how many
  // cases went back to a queue.
  absl::StatusOr<int> ReapOnce();

 private:
  // Settles one lapsed lease index entry; true if the case was requeued.
  absl::StatusOr<bool> Settle(const std::string& pool, const std::string& case_id, absl::Time now);

  ClockPtr clock_;
  CaseStore store_;
  QueueIndex index_;
  QueueEventLog queue_events_;
};

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_LEASE_REAPER_H_
