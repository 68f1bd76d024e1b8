#ifndef TELEDERM_SERVICES_REFERRAL_TRIAGED_STREAM_HANDLER_H_
#define TELEDERM_SERVICES_REFERRAL_TRIAGED_STREAM_HANDLER_H_

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/case_store/case_batch.h"
#include "common/case_store/event_log.h"
#include "common/clock/clock.h"
#include "common/redis/client.h"
#include "common/redis/stream.h"
#include "services/referral/profile_directory.h"
#include "services/referral/options.h"
#include "services/referral/routing.h"
#include "telederm/v1/case.pb.h"

namespace telederm::referral {

// What stream:triaged means for one case, decided from its record alone.
struct TriagedStep {
  bool store = false;         // the record changed: compare-and-set it
  bool index = false;         // in its pool's queue at its due time
  bool clinic_event = false;  // the clinic's QUEUED event
};

// The one rule of what referral does with a case a stream:triaged entry
// names. Pure; changes `c` where the step says to store it:
//   SCREENING: an open needs_info pause closes (ResumeAfterAnswer), the case
//     is placed (first time: routed by `routing`; back after the clinic's
//     answer with new images: PlaceRescreenedCase) and moves to QUEUED
//     (actor "referral") -> store, index, clinic event;
//   QUEUED with an open pause (the clinic's text answer, handed over by
//     intake): the pause closes -> store, index, clinic event;
//   QUEUED without a pool: nothing (left for an operator);
//   QUEUED: index (a redelivery), and the clinic event again if the queuing
//     is still the case's last change;
//   anything else: nothing (RECEIVED: triage sends a fresh entry; later
//     states: the case has moved on).
absl::StatusOr<TriagedStep> DecideTriaged(v1::Case& c, const Routing& routing, const ReferralOptions& options,
                                          absl::Time now);

// True when DecideTriaged routes `c`, and so needs its clinic's profile.
bool NeedsRouting(const v1::Case& c);

// The consumer of stream:triaged (group "referral", delivered by a
// common/stream_worker StreamWorker): carries out DecideTriaged for a batch
// of entries with a few round trips for all of them. The records are read in
// one pipeline, the routing in one, the compare-and-sets in one (a case
// another writer changed meanwhile is read and decided again), the queue
// index writes in one, the queue and clinic events in one. Idempotent, so
// at-least-once delivery queues each case once. One status per entry, in
// order: OK means the entry may be acked; a Redis error leaves it pending.
//
// Thread-safe.
class TriagedStreamHandler {
 public:
  TriagedStreamHandler(std::shared_ptr<redis::Client> redis, ClockPtr clock, ReferralOptions options);

  std::vector<absl::Status> HandleBatch(const std::vector<redis::StreamEntry>& entries);
  // A batch of one.
  absl::Status Handle(const redis::StreamEntry& entry);

 private:
  // A case whose step is decided and whose record, if it changed, is stored.
  struct Decided {
    size_t entry;
    v1::Case record;
    TriagedStep step;
  };
  // Reads into `routing` the clinics of `members` that need routing and are
  // not in it yet (nothing when none does).
  absl::Status ReadRoutingFor(const std::vector<CaseBatch::Member>& members, Routing& routing);
  // The queue index entries and the events of the decided cases.
  void IndexAndTell(const std::vector<Decided>& decided, std::vector<absl::Status>& handled);

  std::shared_ptr<redis::Client> redis_;
  ClockPtr clock_;
  const ReferralOptions options_;
  CaseBatch batch_;
  EventLog events_;
  ProfileDirectory directory_;
};

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_TRIAGED_STREAM_HANDLER_H_
