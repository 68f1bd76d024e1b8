#ifndef TELEDERM_SERVICES_INTAKE_SUBMISSION_GROUP_COMMIT_H_
#define TELEDERM_SERVICES_INTAKE_SUBMISSION_GROUP_COMMIT_H_

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/blob/blob_store.h"
#include "common/case_store/event_log.h"
#include "common/clock/clock.h"
#include "common/redis/client.h"
#include "services/intake/clinic_images.h"
#include "telederm/v1/case.pb.h"

namespace telederm::intake {

// One SubmitCase's part of a group commit.
struct PendingSubmission {
  // In: the case, RECEIVED under a fresh case id, its images' sizes not yet
  // set (the commit checks that the clinic uploaded them); the clinic's idempotency key
  // (empty: none) and the submission's fingerprint (SubmissionFingerprint)
  // when there is a key; the time the key is claimed at.
  v1::Case* c = nullptr;
  std::string idempotency_key;
  std::string fingerprint;
  absl::Time now;

  // Out, once Commit has returned. OK: the case is stored, indexed, enqueued
  // for triage and its RECEIVED event appended (and replicated, when the
  // client waits for replicas), under c->case_id(); `duplicate` when the key
  // was claimed by another call of the same batch, whose case c now names.
  // `earlier_case_id`: the key names a case claimed before this batch, which
  // the caller completes and answers (a retry); nothing was written for it.
  absl::Status status;
  bool duplicate = false;
  std::optional<std::string> earlier_case_id;
};

// UNAVAILABLE for a case that is stored but whose replication was not
// confirmed: the clinic sends it again with the same idempotency key.
absl::Status UnreplicatedCaseError(const std::string& case_id, const absl::Status& replicated);

// Group commit of SubmitCase's Redis writes. Concurrent calls share round
// trips: the first caller becomes the leader and flushes at once (a call that
// is alone waits for nobody); calls that arrive while a flush is in flight
// queue up and form the next batch, flushed by the first of them. There is no
// timer: a batch's window is the flush before it, bounded by max_batch calls.
// A flush is one pipeline of reads of the clinics' own images
// (ClinicImages), one of idempotency claims (one script call each), one of
// the new cases' writes (record, clinic index, stream entry, event), and, when
// the client waits for replicas, one WAIT for the batch.
// Each call gets its own result: one call's error never fails its
// batch-mates; a transport failure (Redis gone) fails every call of the batch
// with UNAVAILABLE, which is safe to retry with the same idempotency key.
//
// Thread-safe. The client, images, blob store, event log and clock must
// outlive it.
class SubmissionGroupCommit {
 public:
  SubmissionGroupCommit(std::shared_ptr<redis::Client> redis, const ClinicImages* images, BlobStorePtr blobs,
                        const EventLog* events, ClockPtr clock, absl::Duration idempotency_ttl, int max_batch = 64);

  // Blocks until `submission` is committed with its batch; fills its Out part.
  void Commit(PendingSubmission& submission);

  // Calls inside Commit: being flushed or queued for the next batch (for
  // tests and metrics).
  int calls_in_commit() const;

 private:
  struct Queued {
    PendingSubmission* submission;
    bool done = false;
  };
  void Flush(const std::vector<PendingSubmission*>& batch);
  // Sets the sizes of each call's images, or its FAILED_PRECONDITION. False on
  // a transport failure.
  bool ReadOwnImages(const std::vector<PendingSubmission*>& batch);
  // Claims the keys of the batch's calls that have one; marks in-batch
  // duplicates (`duplicate_of`) and earlier claims. False on a transport failure.
  bool ClaimKeys(const std::vector<PendingSubmission*>& batch, std::vector<PendingSubmission*>& duplicate_of);
  void StoreNewCases(const std::vector<PendingSubmission*>& batch);

  const std::shared_ptr<redis::Client> redis_;
  const ClinicImages* const images_;
  const BlobStorePtr blobs_;
  const EventLog* const events_;
  const ClockPtr clock_;
  const absl::Duration idempotency_ttl_;
  const size_t max_batch_;
  mutable absl::Mutex mu_;
  std::deque<Queued*> queue_ ABSL_GUARDED_BY(mu_);
  bool flushing_ ABSL_GUARDED_BY(mu_) = false;
  int calls_in_commit_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_SUBMISSION_GROUP_COMMIT_H_
