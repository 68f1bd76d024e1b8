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
#include "common/case_store/case_batch.h"
#include "services/referral/directory.h"
#include "services/referral/options.h"
#include "services/referral/placement.h"
#include "services/referral/queue_events.h"
#include "services/referral/queue_index.h"

namespace telederm::referral {

// Handles one stream:triaged entry (group "referral", delivered by a
// common/stream_worker StreamWorker): puts the case in its pool's queue.
//
// A SCREENING case becomes QUEUED with urgency, due time and pool on the
// record (routed on first queuing; a case re-screened after the clinic's
// answer keeps its pool and due time, see PlaceRescreenedCase), then the
// queue index, then the clinic's QUEUED event. A QUEUED case the clinic
// answered with text (intake records the answer and hands the case over this
// way) gets its clock restarted (ResumeAfterAnswer), then the index and the
// clinic's QUEUED event. Any other QUEUED case (a redelivery) is only put in
// the index at the record's due time. A case whose pause is still open is
// resumed here, by referral alone, whichever way it came back. Idempotent, so
// at-least-once delivery queues each case once. OK means the entry may be
// acked; a Redis error leaves it pending.
//
// Thread-safe.
class TriagedHandler {
 public:
  TriagedHandler(std::shared_ptr<redis::Client> redis, ClockPtr clock, ReferralOptions options);

  absl::Status Handle(const redis::StreamEntry& entry);

  // Handles a batch of entries as Handle does each, with a few round trips
  // for all of them: the records in one pipeline, the directory in one, the
  // compare-and-sets to QUEUED in one, the queue index writes in one, the
  // queue and clinic events in one. An entry whose case is not SCREENING (a
  // redelivery, a clinic's text answer), or whose compare-and-set lost to
  // another writer, is handled by Handle. One status per entry, in order.
  std::vector<absl::Status> HandleBatch(const std::vector<redis::StreamEntry>& entries);

 private:
  // Places a SCREENING case and moves it to QUEUED; false (unchanged) for a
  // case in any other state. Makes no Redis calls: a compare-and-set mutation.
  absl::StatusOr<bool> Queue(v1::Case& c, const RoutingDirectory& routing, absl::Time now) const;
  // `current`: the record as Handle just read it (saves reading it again).
  absl::Status QueueScreenedCase(const v1::Case& current);
  absl::Status IndexQueuedCase(const v1::Case& c);
  // A QUEUED case with its pause still open: closes it, then indexes.
  absl::Status ResumeAnsweredCase(const v1::Case& current);

  std::shared_ptr<redis::Client> redis_;
  ClockPtr clock_;
  const ReferralOptions options_;
  CaseStore store_;
  CaseBatch batch_;
  EventLog events_;
  QueueIndex index_;
  QueueEventLog queue_events_;
  Directory directory_;
};

// The meta the queue index keeps for `c`.
QueueMeta QueueMetaOf(const v1::Case& c);

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_TRIAGED_HANDLER_H_
