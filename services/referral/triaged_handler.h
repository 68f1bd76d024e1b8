#ifndef TELEDERM_SERVICES_REFERRAL_TRIAGED_HANDLER_H_
#define TELEDERM_SERVICES_REFERRAL_TRIAGED_HANDLER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "common/case_store/case_store.h"
#include "common/case_store/event_log.h"
#include "common/clock/clock.h"
#include "common/redis/client.h"
#include "common/redis/stream.h"
#include "services/referral/directory.h"
#include "services/referral/options.h"
#include "services/referral/queue_events.h"
#include "services/referral/queue_index.h"

namespace telederm::referral {

// Handles one stream:triaged entry (group "referral", delivered by a
// common/stream_worker StreamWorker): puts the case in its pool's queue.
//
// A SCREENING case becomes QUEUED with urgency, due time and pool on the
// record (routed on first queuing; a case re-screened after the clinic's
// answer keeps its pool and due time, see PlaceRescreenedCase), then the
// queue index, then the clinic's QUEUED event. A QUEUED case (a redelivery,
// or a clinic's text answer from needs_info, which intake hands over this
// way) is only put in the index at the record's due time. Idempotent, so
// at-least-once delivery queues each case once. OK means the entry may be
// acked; a Redis error leaves it pending.
//
// Thread-safe.
class TriagedHandler {
 public:
  TriagedHandler(std::shared_ptr<redis::Client> redis, ClockPtr clock, ReferralOptions options);

  absl::Status Handle(const redis::StreamEntry& entry);

 private:
  // `current`: the record as Handle just read it (saves reading it again).
  absl::Status QueueScreenedCase(const v1::Case& current);
  absl::Status IndexQueuedCase(const v1::Case& c);

  ClockPtr clock_;
  const ReferralOptions options_;
  CaseStore store_;
  EventLog events_;
  QueueIndex index_;
  QueueEventLog queue_events_;
  Directory directory_;
};

// The meta the queue index keeps for `c`.
QueueMeta QueueMetaOf(const v1::Case& c);

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_TRIAGED_HANDLER_H_
