#ifndef TELEDERM_SERVICES_REFERRAL_TRIAGED_CONSUMER_H_
#define TELEDERM_SERVICES_REFERRAL_TRIAGED_CONSUMER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/case_store/case_store.h"
#include "common/case_store/event_log.h"
#include "common/clock/clock.h"
#include "common/redis/client.h"
#include "common/redis/stream.h"
#include "services/referral/options.h"
#include "services/referral/queue_index.h"

namespace telederm::referral {

// Takes triaged cases off stream:triaged (group "referral") and puts them in
// their pool's queue: SCREENING -> QUEUED with urgency, due time and pool on
// the record, then the queue index, then the clinic's QUEUED event, then XACK.
// Idempotent: an entry delivered again finds the case QUEUED and only makes
// sure the queue holds it. An entry is acked only once its effect is stored;
// a Redis error leaves it pending, to be delivered again.
//
// Thread-compatible: one thread drives a consumer at a time (its stream
// consumer name is its own). Other consumers may run in other processes.
class TriagedConsumer {
 public:
  TriagedConsumer(std::shared_ptr<redis::Client> redis, ClockPtr clock, ReferralOptions options,
                  std::string consumer_name);

  // Creates the group if needed and handles the entries this consumer name
  // received before a restart and never acked. Call once before polling.
  absl::Status Start();

  // Reads new entries (waiting up to `block` for the first) and handles them.
  // Returns how many were handled and acked; the first error, if any, after
  // trying the whole batch.
  absl::StatusOr<int> PollOnce(absl::Duration block);

  // Takes over entries left pending on any consumer for at least `min_idle`
  // (a crashed process) and handles them.
  absl::StatusOr<int> ReclaimIdle(absl::Duration min_idle);

  const std::string& consumer_name() const { return stream_.consumer(); }

 private:
  absl::StatusOr<int> HandleBatch(const std::vector<redis::StreamEntry>& entries);
  // Applies one entry's effect; OK means it may be acked.
  absl::Status Handle(const redis::StreamEntry& entry);
  absl::Status QueueScreenedCase(const std::string& case_id);

  ClockPtr clock_;
  const ReferralOptions options_;
  CaseStore store_;
  EventLog events_;
  QueueIndex index_;
  redis::StreamConsumer stream_;
};

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_TRIAGED_CONSUMER_H_
