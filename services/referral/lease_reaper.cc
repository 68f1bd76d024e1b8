#include "services/referral/lease_reaper.h"

#include "absl/strings/str_cat.h"
#include "common/case_state/state_machine.h"
#include "common/case_state/timestamps.h"
#include "common/logging/log.h"
#include "services/referral/claim_rules.h"

namespace telederm::referral {
namespace {

constexpr int kLeasesPerPoolPerPass = 100;
constexpr char kReaperActor[] = "referral-reaper";

}  // namespace

LeaseReaper::LeaseReaper(std::shared_ptr<redis::Client> redis, ClockPtr clock)
    : clock_(std::move(clock)), store_(redis), index_(redis), queue_events_(redis) {}

absl::StatusOr<int> LeaseReaper::ReapOnce() {
  absl::StatusOr<std::vector<std::string>> pools = index_.Pools();
  if (!pools.ok()) return pools.status();
  int requeued = 0;
  for (const std::string& pool : *pools) {
    const absl::Time now = clock_->Now();
    absl::StatusOr<std::vector<std::string>> lapsed = index_.LapsedLeases(pool, now, kLeasesPerPoolPerPass);
    if (!lapsed.ok()) return lapsed.status();
    for (const std::string& case_id : *lapsed) {
      absl::StatusOr<bool> settled = Settle(pool, case_id, now);
      if (!settled.ok()) return settled.status();
      requeued += *settled ? 1 : 0;
    }
  }
  return requeued;
}

absl::StatusOr<bool> LeaseReaper::Settle(const std::string& pool, const std::string& case_id, absl::Time now) {
  absl::StatusOr<std::optional<int64_t>> token = index_.ClaimToken(pool, case_id);
  if (!token.ok()) return token.status();
  if (!token->has_value()) {
    // A lease without a claim cannot be made by the scripts; tidy it anyway.
    if (absl::Status s = index_.DropOrphanLease(pool, case_id); !s.ok()) return s;
    return false;
  }
  const int64_t fencing_token = **token;

  bool requeue = false;
  absl::StatusOr<v1::Case> stored = store_.Update(case_id, [&](v1::Case& c) -> absl::StatusOr<bool> {
    requeue = false;
    const bool held = c.status() == v1::CASE_STATUS_CLAIMED && c.claim().fencing_token() == fencing_token &&
                      c.claim().pool() == pool;
    if (!held || !LeaseLapsed(c.claim(), now)) return false;
    if (absl::Status s = TransitionCase(c, v1::CASE_STATUS_QUEUED, now, kReaperActor, "lease lapsed"); !s.ok()) {
      return s;
    }
    c.clear_claim();
    requeue = true;
    return true;
  });
  if (stored.status().code() == absl::StatusCode::kNotFound) {
    absl::StatusOr<bool> ended = index_.EndClaim(pool, case_id, fencing_token, std::nullopt);
    if (!ended.ok()) return ended.status();
    return false;
  }
  if (!stored.ok()) return stored.status();

  if (requeue) {
    LogInfo(absl::StrCat("case ", case_id, ": lease of claim ", fencing_token, " lapsed; back in pool ", pool));
    absl::StatusOr<bool> ended = index_.EndClaim(pool, case_id, fencing_token, FromProtoTimestamp(stored->due_at()));
    if (!ended.ok()) return ended.status();
    queue_events_.AppendOrLog(MakeQueueEvent(*stored, pool, v1::QUEUE_EVENT_TYPE_QUEUED, kReaperActor, now));
    return true;
  }
  const v1::Case& c = *stored;
  if (c.status() == v1::CASE_STATUS_CLAIMED && c.claim().fencing_token() == fencing_token &&
      c.claim().pool() == pool) {
    // The holder extended the lease but the index missed it: follow the record.
    absl::StatusOr<bool> moved =
        index_.ExtendLease(pool, case_id, fencing_token, FromProtoTimestamp(c.claim().lease_expires_at()));
    if (!moved.ok()) return moved.status();
    return false;
  }
  // The index claim is stale (the case was reported, released, or claimed
  // afresh under another token): drop it, and if the case waits in this pool
  // make sure the queue has it.
  absl::StatusOr<bool> ended = index_.EndClaim(pool, case_id, fencing_token, std::nullopt);
  if (!ended.ok()) return ended.status();
  if (c.status() == v1::CASE_STATUS_QUEUED && c.pool() == pool) {
    if (absl::Status s = index_.Enqueue(c).status(); !s.ok()) return s;
  }
  return false;
}

}  // namespace telederm::referral
