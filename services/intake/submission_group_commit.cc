#include "services/intake/submission_group_commit.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/case_store.h"
#include "common/case_store/keys.h"
#include "common/logging/log.h"
#include "services/intake/clinic_case_index.h"
#include "services/intake/idempotency.h"

namespace telederm::intake {

absl::Status UnreplicatedCaseError(const std::string& case_id, const absl::Status& replicated) {
  return absl::UnavailableError(absl::StrCat("case ", case_id,
                                             " is stored but no standby Redis confirmed it in time (",
                                             replicated.message(), "); send it again with the same idempotency_key"));
}

SubmissionGroupCommit::SubmissionGroupCommit(std::shared_ptr<redis::Client> redis, const ClinicImages* images,
                                             BlobStorePtr blobs, const EventLog* events, ClockPtr clock,
                                             absl::Duration idempotency_ttl, int max_batch)
    : redis_(std::move(redis)),
      images_(images),
      blobs_(std::move(blobs)),
      events_(events),
      clock_(std::move(clock)),
      idempotency_ttl_(idempotency_ttl),
      max_batch_(static_cast<size_t>(std::max(1, max_batch))) {}

int SubmissionGroupCommit::calls_in_commit() const {
  absl::MutexLock lock(&mu_);
  return calls_in_commit_;
}

void SubmissionGroupCommit::Commit(PendingSubmission& submission) {
  Queued mine{&submission};
  std::vector<Queued*> batch;
  {
    absl::MutexLock lock(&mu_);
    queue_.push_back(&mine);
    ++calls_in_commit_;
    auto leads_or_done = [this, &mine]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return mine.done || (!flushing_ && queue_.front() == &mine);
    };
    mu_.Await(absl::Condition(&leads_or_done));
    if (mine.done) return;  // a leader committed it
    flushing_ = true;
    const size_t size = std::min(max_batch_, queue_.size());
    batch.assign(queue_.begin(), queue_.begin() + size);
    queue_.erase(queue_.begin(), queue_.begin() + size);
  }
  std::vector<PendingSubmission*> submissions;
  submissions.reserve(batch.size());
  for (Queued* queued : batch) submissions.push_back(queued->submission);
  Flush(submissions);
  absl::MutexLock lock(&mu_);
  flushing_ = false;
  calls_in_commit_ -= static_cast<int>(batch.size());
  for (Queued* queued : batch) queued->done = true;
}

void SubmissionGroupCommit::Flush(const std::vector<PendingSubmission*>& batch) {
  // duplicate_of[i]: the batch-mate whose fresh claim holds batch[i]'s key.
  std::vector<PendingSubmission*> duplicate_of(batch.size(), nullptr);
  if (!ReadOwnImages(batch) || !ClaimKeys(batch, duplicate_of)) return;
  std::vector<PendingSubmission*> new_cases;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i]->status.ok() && duplicate_of[i] == nullptr && !batch[i]->earlier_case_id.has_value()) {
      new_cases.push_back(batch[i]);
    }
  }
  StoreNewCases(new_cases);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (duplicate_of[i] == nullptr) continue;
    *batch[i]->c = *duplicate_of[i]->c;
    batch[i]->status = duplicate_of[i]->status;
    batch[i]->duplicate = true;
  }
}

bool SubmissionGroupCommit::ReadOwnImages(const std::vector<PendingSubmission*>& batch) {
  std::vector<std::vector<std::string>> reads;
  std::vector<size_t> first_read;  // batch[i]'s reads start at reads[first_read[i]]
  for (PendingSubmission* s : batch) {
    first_read.push_back(reads.size());
    std::vector<std::vector<std::string>> own = images_->OwnImagesReads(s->c->clinic_id(), s->c->submission().images());
    std::move(own.begin(), own.end(), std::back_inserter(reads));
  }
  first_read.push_back(reads.size());
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies =
      reads.empty() ? std::vector<absl::StatusOr<redis::Reply>>() : redis_->Pipeline(reads);
  if (!replies.ok()) {
    for (PendingSubmission* s : batch) s->status = replies.status();
    return false;
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i]->status =
        ClinicImages::SetSizesFromReads(*blobs_, "images", replies->data() + first_read[i],
                                        first_read[i + 1] - first_read[i], *batch[i]->c->mutable_submission()->mutable_images());
  }
  return true;
}

bool SubmissionGroupCommit::ClaimKeys(const std::vector<PendingSubmission*>& batch,
                                      std::vector<PendingSubmission*>& duplicate_of) {
  std::vector<redis::Client::ScriptCall> claims;
  std::vector<size_t> claimers;
  for (size_t i = 0; i < batch.size(); ++i) {
    const PendingSubmission& s = *batch[i];
    if (s.idempotency_key.empty() || !s.status.ok()) continue;
    claims.push_back(ClaimIdempotencyKeyCall(s.c->clinic_id(), s.idempotency_key,
                                             IdempotencyValue(s.c->case_id(), s.fingerprint), s.now,
                                             idempotency_ttl_));
    claimers.push_back(i);
  }
  if (claims.empty()) return true;
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis_->EvalAll(claims);
  if (!replies.ok()) {
    for (PendingSubmission* s : batch) s->status = replies.status();
    return false;
  }
  // The key is claimed before the record exists. A crash in between leaves a
  // key naming a case that was never stored: the retry finds the key and
  // stores the case under that id (the caller's earlier_case_id path), so
  // nothing is lost and nothing is stored twice.
  absl::flat_hash_map<std::string, PendingSubmission*> claimed_here;  // case id -> its claimer
  for (size_t k = 0; k < claimers.size(); ++k) {
    PendingSubmission& s = *batch[claimers[k]];
    absl::StatusOr<std::optional<std::string>> held = IdempotencyKeyHolder(std::move((*replies)[k]));
    if (!held.ok()) {
      s.status = held.status();
      continue;
    }
    if (!held->has_value()) {
      claimed_here[s.c->case_id()] = &s;
      continue;
    }
    std::optional<IdempotencyClaim> claim = ParseIdempotencyValue(**held);
    if (!claim.has_value() || !claim->IsFor(s.fingerprint)) {
      s.status = absl::AlreadyExistsError(absl::StrCat("idempotency_key '", s.idempotency_key,
                                                       "' was already used for a different case; use a new key "
                                                       "for a new case"));
    } else if (auto here = claimed_here.find(claim->case_id); here != claimed_here.end()) {
      duplicate_of[claimers[k]] = here->second;
    } else {
      s.earlier_case_id = std::move(claim->case_id);
      s.duplicate = true;
    }
  }
  return true;
}

void SubmissionGroupCommit::StoreNewCases(const std::vector<PendingSubmission*>& batch) {
  if (batch.empty()) return;
  // Each case has a fresh id (about 80 random bits), so its record cannot
  // exist yet: store it, index it, enqueue it and tell the clinic, with the
  // batch-mates' in one round trip. Redis runs a pipeline's commands in order;
  // if the connection breaks midway, the clinic's retry with the same key
  // completes whatever is missing (the earlier_case_id path).
  constexpr size_t kCommandsPerCase = 4;
  std::vector<std::vector<std::string>> commands;
  commands.reserve(kCommandsPerCase * batch.size());
  const absl::Time now = clock_->Now();
  for (PendingSubmission* s : batch) {
    v1::Case& c = *s->c;
    commands.push_back(CaseStore::CreateCommand(c));
    commands.push_back(AppendToClinicCasesCommand(c.clinic_id(), c.case_id()));
    commands.push_back({"XADD", keys::kIntakeStream, "*", "case_id", c.case_id()});
    commands.push_back(
        events_->AppendCommand(MakeCaseEvent(c, v1::EVENT_TYPE_RECEIVED, FromProtoTimestamp(c.received_at())), now));
  }
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis_->Pipeline(commands);
  if (!replies.ok()) {
    for (PendingSubmission* s : batch) s->status = replies.status();
    return;
  }
  bool any_stored = false;
  for (size_t i = 0; i < batch.size(); ++i) {
    PendingSubmission& s = *batch[i];
    for (size_t k = 0; k < kCommandsPerCase && s.status.ok(); ++k) s.status = (*replies)[i * kCommandsPerCase + k].status();
    if (s.status.ok() && (*replies)[i * kCommandsPerCase]->integer != 1) {
      s.status =
          absl::InternalError(absl::StrCat("case id ", s.c->case_id(), " was already taken; send the case again"));
    }
    if (!s.status.ok()) continue;
    any_stored = true;
    LogInfo(absl::StrCat("case ", s.c->case_id(), " received from clinic ", s.c->clinic_id()));
  }
  if (!any_stored) return;
  // An acknowledged case must survive the loss of the Redis master
  // (docs/DELIVERY.md, "Failover"): one WAIT covers the whole batch.
  if (absl::Status replicated = redis_->WaitForReplicas(); !replicated.ok()) {
    for (PendingSubmission* s : batch) {
      if (s->status.ok()) s->status = UnreplicatedCaseError(s->c->case_id(), replicated);
    }
  }
}

}  // namespace telederm::intake
