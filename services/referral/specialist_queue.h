#ifndef TELEDERM_SERVICES_REFERRAL_SPECIALIST_QUEUE_H_
#define TELEDERM_SERVICES_REFERRAL_SPECIALIST_QUEUE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/case_store/case_store.h"
#include "common/case_store/event_log.h"
#include "common/clock/clock.h"
#include "common/redis/client.h"
#include "services/referral/access.h"
#include "services/referral/icd10_table.h"
#include "services/referral/options.h"
#include "services/referral/queue_events.h"
#include "services/referral/queue_index.h"
#include "services/referral/screening_tally.h"
#include "telederm/v1/referral.pb.h"

namespace telederm::referral {

// What a dermatologist does with the queue: list it, claim the earliest-due
// case, extend or release the claim, report. Every call takes the specialist
// as CaseAccess resolved them; every failure is a canonical status with a message the specialist
// can act on. The case record decides; the queue index follows it.
//
// Thread-safe: holds only thread-safe collaborators; many RPCs run at once.
class SpecialistQueue {
 public:
  SpecialistQueue(std::shared_ptr<redis::Client> redis, ClockPtr clock, ReferralOptions options, Icd10TablePtr codes);

  // Queued cases of the caller's pools (or the one asked for), earliest due
  // first, filtered by tier, overdue and clinic, one page at a time.
  absl::StatusOr<v1::ListQueueResponse> ListQueue(const Reader& staff, const v1::ListQueueRequest& request);
  // Claims the earliest-due case (with fairness between clinics, see
  // QueueIndex::ClaimHead); NOT_FOUND when nothing waits.
  absl::StatusOr<v1::ClaimNextResponse> ClaimNext(const Reader& staff, const v1::ClaimNextRequest& request);
  absl::StatusOr<v1::ExtendClaimResponse> ExtendClaim(const Reader& staff, const v1::ExtendClaimRequest& request);
  // Back to the queue at the case's original due time.
  absl::Status Release(const Reader& staff, const v1::ReleaseRequest& request);
  // Stores the report and tells the clinic. A retry after a lost response
  // (the case already reported by this specialist) succeeds again.
  absl::StatusOr<v1::SubmitReportResponse> SubmitReport(const Reader& staff, const v1::SubmitReportRequest& request);

  // The pools a call works on: the caller's, or the requested one if theirs.
  static absl::StatusOr<std::vector<std::string>> PoolsToServe(const Reader& staff, const std::string& requested);

 private:
  // The CLAIMED events, to the clinic's stream and the pool's, best effort.
  void AnnounceClaim(const v1::Case& claimed, const std::string& pool, const std::string& specialist, absl::Time now);

  std::shared_ptr<redis::Client> redis_;
  ClockPtr clock_;
  const ReferralOptions options_;
  Icd10TablePtr codes_;
  CaseStore store_;
  ScreeningTally screening_;
  EventLog events_;
  QueueIndex index_;
  QueueEventLog queue_events_;
};

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_SPECIALIST_QUEUE_H_
