#ifndef TELEDERM_SERVICES_REFERRAL_CONSULTATION_H_
#define TELEDERM_SERVICES_REFERRAL_CONSULTATION_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/case_store/case_store.h"
#include "common/case_store/consult_thread.h"
#include "common/case_store/event_log.h"
#include "common/clock/clock.h"
#include "common/redis/client.h"
#include "services/referral/access.h"
#include "services/referral/profile_directory.h"
#include "services/referral/icd10_table.h"
#include "services/referral/queue_events.h"
#include "services/referral/queue_index.h"
#include "services/referral/screening_tally.h"
#include "telederm/v1/referral.pb.h"

namespace telederm::referral {

// The specialist's side of a consultation beyond the queue: asking the clinic
// (needs_info, with the service-level clock paused), the consult thread and
// its read receipts, the draft report, second opinions, a supervisor's
// reassignment and the biopsy outcome of a reported case (counted for the
// screening report, screening_tally.h). Writes by a holder
// check the fencing token against the record inside CaseStore::Update, as
// SpecialistQueue's do; every status change goes through the state machine.
// Order of writes: the record, then the queue index, then the thread, then
// the events.
//
// Thread-safe: holds only thread-safe collaborators.
class Consultation {
 public:
  Consultation(std::shared_ptr<redis::Client> redis, ClockPtr clock, Icd10TablePtr codes,
               std::shared_ptr<CaseAccess> access, std::shared_ptr<ProfileDirectory> directory);

  // CLAIMED -> NEEDS_INFO: the claim ends, the clock stops (info_requested_at),
  // the question goes to the thread and to the clinic as INFO_REQUESTED. A
  // retry by the same specialist after a lost response succeeds again.
  absl::StatusOr<v1::RequestInfoResponse> RequestInfo(const Reader& staff, const v1::RequestInfoRequest& request);
  absl::StatusOr<v1::SpecialistMessageResponse> SendMessage(const Reader& staff,
                                                            const v1::SpecialistMessageRequest& request);
  absl::StatusOr<v1::ListMessagesResponse> ListMessages(const Reader& staff, const v1::ListMessagesRequest& request);
  absl::Status MarkRead(const Reader& staff, const v1::MarkReadRequest& request);
  absl::StatusOr<v1::SaveDraftResponse> SaveDraft(const Reader& staff, const v1::SaveDraftRequest& request);
  // CLAIMED -> QUEUED in the other pool (or the colleague's direct pool), due
  // time, history, thread and draft kept.
  absl::StatusOr<v1::SecondOpinionResponse> RequestSecondOpinion(const Reader& staff,
                                                                 const v1::SecondOpinionRequest& request);
  // Supervisors of the case's pool: a QUEUED or CLAIMED case moves to another
  // pool or a specialist's direct pool (a claim ends: CLAIMED -> QUEUED).
  absl::StatusOr<v1::ReassignResponse> Reassign(const Reader& staff, const v1::ReassignRequest& request);
  absl::StatusOr<v1::RecordBiopsyOutcomeResponse> RecordBiopsyOutcome(const Reader& staff,
                                                                      const v1::RecordBiopsyOutcomeRequest& request);

 private:
  // The pool a second opinion or a reassignment goes to.
  absl::StatusOr<std::string> TargetPool(const std::string& pool, const std::string& specialist_id);
  // Moves the index entries of a case that left `from` (claimed with `token`,
  // or waiting when token is 0) into its record's pool, with queue events.
  absl::Status MoveInIndex(const v1::Case& c, const std::string& from, int64_t token, const std::string& actor,
                           absl::Time now);

  ClockPtr clock_;
  Icd10TablePtr codes_;
  std::shared_ptr<CaseAccess> access_;
  std::shared_ptr<ProfileDirectory> directory_;
  CaseStore store_;
  ScreeningTally screening_;
  EventLog events_;
  QueueIndex index_;
  QueueEventLog queue_events_;
  ConsultThread thread_;
};

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_CONSULTATION_H_
