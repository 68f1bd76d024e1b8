#include "services/referral/specialist_queue.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/case_state/state_machine.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/case_store.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"
#include "common/logging/log.h"
#include "services/referral/claim_rules.h"
#include "services/referral/report_rules.h"

namespace telederm::referral {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
// Stale index entries a ClaimNext skips before asking the caller to retry.
constexpr int kMaxClaimAttempts = 32;
constexpr char kPageTokenPrefix[] = "q1:";
// How far past the page a filtered listing looks for matching entries.
constexpr int64_t kFilteredScan = 5000;

absl::StatusOr<int64_t> ParsePageToken(const std::string& token) {
  if (token.empty()) return 0;
  int64_t offset = -1;
  if (!absl::StartsWith(token, kPageTokenPrefix) ||
      !absl::SimpleAtoi(absl::string_view(token).substr(sizeof(kPageTokenPrefix) - 1), &offset) || offset < 0) {
    return absl::InvalidArgumentError(
        "page_token: not a token this service issued; pass next_page_token from the previous page, or leave it "
        "empty for the first page");
  }
  return offset;
}

absl::Status NothingWaiting() { return absl::NotFoundError("no case is waiting in your pools"); }

}  // namespace

SpecialistQueue::SpecialistQueue(std::shared_ptr<redis::Client> redis, ClockPtr clock, ReferralOptions options,
                                 Icd10TablePtr codes)
    : redis_(redis),
      clock_(std::move(clock)),
      options_(std::move(options)),
      codes_(std::move(codes)),
      store_(redis),
      screening_(redis),
      events_(redis),
      index_(redis),
      queue_events_(redis) {}

absl::StatusOr<std::vector<std::string>> SpecialistQueue::PoolsToServe(const Reader& staff,
                                                                       const std::string& requested) {
  if (requested.empty()) return staff.pools;
  if (!staff.WorksIn(requested)) {
    return absl::PermissionDeniedError(
        absl::StrCat("you do not work in pool '", requested, "'; your pools: ", absl::StrJoin(staff.pools, ",")));
  }
  return std::vector<std::string>{requested};
}

absl::StatusOr<v1::ListQueueResponse> SpecialistQueue::ListQueue(const Reader& staff,
                                                                 const v1::ListQueueRequest& request) {
  absl::StatusOr<std::vector<std::string>> pools = PoolsToServe(staff, request.pool());
  if (!pools.ok()) return pools.status();
  if (request.page_size() < 0 || request.page_size() > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be 1..", kMaxPageSize, " (0 for ", kDefaultPageSize, "), got ",
                     request.page_size()));
  }
  if (!v1::Urgency_IsValid(request.urgency())) return absl::InvalidArgumentError("urgency: not a tier");
  if (!request.clinic_id().empty() && !IsValidExternalId(request.clinic_id(), 64)) {
    return absl::InvalidArgumentError("clinic_id: 1..64 characters of A-Z a-z 0-9 . _ : -");
  }
  const int64_t page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  absl::StatusOr<int64_t> offset = ParsePageToken(request.page_token());
  if (!offset.ok()) return offset.status();
  const bool filtered =
      request.urgency() != v1::URGENCY_UNSPECIFIED || request.overdue_only() || !request.clinic_id().empty();
  const absl::Time now = clock_->Now();

  // Offset paging over the merge of the pools: every pool contributes its
  // first offset + page_size + 1 entries (with filters, up to kFilteredScan
  // more), enough to cut the page and know whether another follows.
  const int64_t wanted = *offset + page_size + 1 + (filtered ? kFilteredScan : 0);
  std::vector<QueuedCase> merged;
  for (const std::string& pool : *pools) {
    absl::StatusOr<std::vector<QueuedCase>> first = index_.FirstInQueue(pool, wanted);
    if (!first.ok()) return first.status();
    merged.insert(merged.end(), first->begin(), first->end());
  }
  std::sort(merged.begin(), merged.end(), [](const QueuedCase& a, const QueuedCase& b) {
    return std::tie(a.due, a.case_id, a.pool) < std::tie(b.due, b.case_id, b.pool);
  });
  v1::ListQueueResponse response;
  int64_t position = *offset;
  while (position < static_cast<int64_t>(merged.size()) && response.entries_size() < page_size) {
    // Overdue is known from the index; the rest needs the records.
    if (request.overdue_only() && !(merged[position].due < now)) break;  // sorted: none further is overdue
    const int64_t batch_end =
        std::min<int64_t>(merged.size(), position + (page_size - response.entries_size()));
    std::vector<std::string> ids;
    for (int64_t i = position; i < batch_end; ++i) ids.push_back(merged[i].case_id);
    absl::StatusOr<std::vector<absl::StatusOr<std::optional<v1::Case>>>> records = CaseStore(redis_).GetMany(ids);
    if (!records.ok()) return records.status();
    for (size_t i = 0; i < records->size(); ++i) {
      const absl::StatusOr<std::optional<v1::Case>>& record = (*records)[i];
      if (!record.ok() && !absl::IsDataLoss(record.status())) return record.status();
      const QueuedCase& queued = merged[position + i];
      if (request.overdue_only() && !(queued.due < now)) continue;
      // A missing or unreadable record, or one that moved on, is a stale index entry: not waiting.
      if (!record.ok() || !record->has_value()) continue;
      const v1::Case& c = **record;
      if (c.status() != v1::CASE_STATUS_QUEUED || c.pool() != queued.pool) continue;
      if (request.urgency() != v1::URGENCY_UNSPECIFIED && c.urgency() != request.urgency()) continue;
      if (!request.clinic_id().empty() && c.clinic_id() != request.clinic_id()) continue;
      *response.add_entries() = QueueEntryOf(c, now);
    }
    position = batch_end;
  }
  const bool more = position < static_cast<int64_t>(merged.size()) &&
                    !(request.overdue_only() && !(merged[position].due < now));
  if (more) response.set_next_page_token(absl::StrCat(kPageTokenPrefix, position));
  return response;
}

absl::StatusOr<v1::ClaimNextResponse> SpecialistQueue::ClaimNext(const Reader& staff,
                                                                 const v1::ClaimNextRequest& request) {
  const Reader& caller = staff;
  absl::StatusOr<std::vector<std::string>> pools = PoolsToServe(staff, request.pool());
  if (!pools.ok()) return pools.status();
  for (int attempt = 0; attempt < kMaxClaimAttempts; ++attempt) {
    // One pool: the claim script finds its head itself. Several: the pool
    // whose head is due first, from one pipelined read of every head.
    std::string pool = pools->size() == 1 ? pools->front() : "";
    if (pool.empty()) {
      absl::StatusOr<std::vector<QueuedCase>> heads = index_.Heads(*pools);
      if (!heads.ok()) return heads.status();
      if (heads->empty()) return NothingWaiting();
      pool = std::min_element(heads->begin(), heads->end(), [](const auto& a, const auto& b) {
               return std::tie(a.due, a.case_id) < std::tie(b.due, b.case_id);
             })->pool;
    }
    const absl::Time now = clock_->Now();
    const absl::Time lease_expires = LeaseExpiry(now, options_.lease);
    absl::StatusOr<std::optional<IndexClaim>> claimed = index_.ClaimHead(pool, caller.id, lease_expires, options_.fairness_window);
    if (!claimed.ok()) return claimed.status();
    if (!claimed->has_value() && pools->size() == 1) return NothingWaiting();
    if (!claimed->has_value() || (*claimed)->fencing_token == 0) continue;  // emptied meanwhile, or stale
    const IndexClaim index_claim = **claimed;

    bool stale = false;
    absl::StatusOr<v1::Case> stored = store_.Update(index_claim.case_id, [&](v1::Case& c) -> absl::StatusOr<bool> {
      stale = c.status() != v1::CASE_STATUS_QUEUED || c.pool() != pool;
      if (stale) return false;
      if (absl::Status s = TransitionCase(c, v1::CASE_STATUS_CLAIMED, now, caller.id); !s.ok()) return s;
      v1::Claim* claim = c.mutable_claim();
      claim->set_specialist_id(caller.id);
      claim->set_pool(pool);
      claim->set_fencing_token(index_claim.fencing_token);
      *claim->mutable_lease_expires_at() = ToProtoTimestamp(lease_expires);
      return true;
    });
    if (stored.status().code() == absl::StatusCode::kNotFound) stale = true;
    // Any other error leaves the outcome unknown (the write may have landed):
    // the index claim stays, and the reaper settles it from the record once
    // the lease lapses.
    if (!stale && !stored.ok()) return stored.status();
    if (stale) {
      LogWarning(absl::StrCat("pool ", pool, ": dropped stale queue entry for case ", index_claim.case_id));
      if (absl::StatusOr<bool> ended = index_.EndClaim(pool, index_claim.case_id, index_claim.fencing_token,
                                                       std::nullopt);
          !ended.ok()) {
        return ended.status();
      }
      // A queued case that sits in another pool's index belongs in its own.
      if (stored.ok() && stored->status() == v1::CASE_STATUS_QUEUED && !stored->pool().empty()) {
        if (absl::Status s = index_.Enqueue(*stored).status(); !s.ok()) return s;
      }
      continue;
    }
    AnnounceClaim(*stored, pool, caller.id, now);
    v1::ClaimNextResponse response;
    *response.mutable_claim() = stored->claim();
    *response.mutable_case_() = *std::move(stored);
    return response;
  }
  return absl::AbortedError("the queue is being repaired right now; try ClaimNext again");
}

void SpecialistQueue::AnnounceClaim(const v1::Case& claimed, const std::string& pool, const std::string& specialist,
                                    absl::Time now) {
  // Both events in one round trip, clinic's first. The claim stands whatever
  // becomes of them: the clinic misses only the "being looked at" note, and
  // WatchQueue only a live notification.
  const v1::QueueEvent queue_event = MakeQueueEvent(claimed, pool, v1::QUEUE_EVENT_TYPE_CLAIMED, specialist, now);
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> appended = redis_->Pipeline({
      events_.AppendCommand(MakeCaseEvent(claimed, v1::EVENT_TYPE_CLAIMED, now), now),
      QueueEventLog::AppendCommand(queue_event),
  });
  const absl::Status clinic_event = appended.ok() ? (*appended)[0].status() : appended.status();
  const absl::Status pool_event = appended.ok() ? (*appended)[1].status() : appended.status();
  if (!clinic_event.ok()) {
    LogWarning(absl::StrCat("case ", claimed.case_id(), ": CLAIMED event not recorded: ", clinic_event.ToString()));
  }
  if (!pool_event.ok()) QueueEventLog::LogNotRecorded(queue_event, pool_event);
}

absl::StatusOr<v1::ExtendClaimResponse> SpecialistQueue::ExtendClaim(const Reader& caller,
                                                                     const v1::ExtendClaimRequest& request) {
  if (absl::Status s = CheckClaimReference(request.case_id(), request.fencing_token()); !s.ok()) return s;
  const absl::Time now = clock_->Now();
  const absl::Time lease_expires = LeaseExpiry(now, options_.lease);
  absl::StatusOr<v1::Case> stored = store_.Update(request.case_id(), [&](v1::Case& c) -> absl::StatusOr<bool> {
    if (absl::Status s = CheckHolder(c, caller.id, request.fencing_token(), now); !s.ok()) return s;
    *c.mutable_claim()->mutable_lease_expires_at() = ToProtoTimestamp(lease_expires);
    return true;
  });
  if (!stored.ok()) return stored.status();
  // If this fails the index keeps the old expiry; the reaper then finds the
  // record's lease still live and moves the index entry to it.
  if (absl::StatusOr<bool> moved =
          index_.ExtendLease(stored->claim().pool(), stored->case_id(), request.fencing_token(), lease_expires);
      !moved.ok()) {
    LogWarning(absl::StrCat("case ", stored->case_id(), ": lease index not moved: ", moved.status().ToString()));
  }
  v1::ExtendClaimResponse response;
  *response.mutable_claim() = stored->claim();
  return response;
}

absl::Status SpecialistQueue::Release(const Reader& caller, const v1::ReleaseRequest& request) {
  if (absl::Status s = CheckClaimReference(request.case_id(), request.fencing_token()); !s.ok()) return s;
  const absl::Time now = clock_->Now();
  std::string pool;
  absl::StatusOr<v1::Case> stored = store_.Update(request.case_id(), [&](v1::Case& c) -> absl::StatusOr<bool> {
    if (absl::Status s = CheckHolder(c, caller.id, request.fencing_token(), now); !s.ok()) return s;
    pool = c.claim().pool();
    if (absl::Status s = TransitionCase(c, v1::CASE_STATUS_QUEUED, now, caller.id, "released"); !s.ok()) return s;
    c.clear_claim();
    return true;
  });
  if (!stored.ok()) return stored.status();
  // Should this fail, the record is already QUEUED: the reaper puts the case
  // back in the queue when the old lease lapses.
  absl::StatusOr<bool> ended =
      index_.EndClaim(pool, stored->case_id(), request.fencing_token(), FromProtoTimestamp(stored->due_at()));
  if (!ended.ok()) return ended.status();
  queue_events_.AppendOrLog(MakeQueueEvent(*stored, pool, v1::QUEUE_EVENT_TYPE_QUEUED, caller.id, now));
  return absl::OkStatus();
}

absl::StatusOr<v1::SubmitReportResponse> SpecialistQueue::SubmitReport(const Reader& caller,
                                                                       const v1::SubmitReportRequest& request) {
  if (absl::Status s = CheckClaimReference(request.case_id(), request.fencing_token()); !s.ok()) return s;
  if (!request.has_report()) return absl::InvalidArgumentError("report: missing");
  if (absl::Status s = ValidateReport(request.report(), *codes_); !s.ok()) return s;
  const absl::Time now = clock_->Now();
  std::string pool;
  bool signed_now = false;
  absl::StatusOr<v1::Case> stored = store_.Update(request.case_id(), [&](v1::Case& c) -> absl::StatusOr<bool> {
    signed_now = false;
    if (c.status() == v1::CASE_STATUS_REPORTED && c.report().specialist_id() == caller.id) {
      if (!IsSameReport(c.report(), request.report())) {
        return absl::FailedPreconditionError(absl::StrCat(
            "case ", c.case_id(), " already has your signed report (", c.report().icd10_code(),
            "); this one differs and was not stored: a signed report is final and cannot be amended "
            "here, so contact the clinic directly to correct it"));
      }
      pool = c.pool();  // a retry after a lost response: already done
      return false;
    }
    if (absl::Status s = CheckHolder(c, caller.id, request.fencing_token(), now); !s.ok()) return s;
    pool = c.claim().pool();
    if (absl::Status s = TransitionCase(c, v1::CASE_STATUS_REPORTED, now, caller.id); !s.ok()) return s;
    v1::Report* report = c.mutable_report();
    *report = request.report();
    report->set_specialist_id(caller.id);
    *report->mutable_reported_at() = ToProtoTimestamp(now);
    c.clear_claim();
    c.clear_draft();
    signed_now = true;
    return true;
  });
  if (!stored.ok()) return stored.status();
  // Counted once, when first stored: a retry finds the report stored and does not count it again.
  if (absl::Status s = signed_now ? screening_.CountReport(*stored) : absl::OkStatus(); !s.ok()) {
    LogWarning(absl::StrCat("case ", stored->case_id(), ": report not counted for the screening report: ",
                            s.ToString()));
  }
  // The record is final; the index only loses a claim entry. If this fails the
  // reaper drops the entry when its lease lapses.
  if (absl::StatusOr<bool> ended = index_.EndClaim(pool, stored->case_id(), request.fencing_token(), std::nullopt);
      !ended.ok()) {
    LogWarning(absl::StrCat("case ", stored->case_id(), ": claim index not cleared: ", ended.status().ToString()));
  } else if (*ended) {
    queue_events_.AppendOrLog(MakeQueueEvent(*stored, pool, v1::QUEUE_EVENT_TYPE_LEFT, caller.id, now));
  }
  absl::StatusOr<std::string> event = events_.Append(MakeCaseEvent(*stored, v1::EVENT_TYPE_REPORTED, now), now);
  if (!event.ok()) return event.status();  // the specialist retries; the retry appends the event
  v1::SubmitReportResponse response;
  *response.mutable_case_() = *std::move(stored);
  return response;
}

}  // namespace telederm::referral
