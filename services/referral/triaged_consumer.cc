#include "services/referral/triaged_consumer.h"

#include "absl/strings/str_cat.h"
#include "common/case_state/state_machine.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"
#include "common/logging/log.h"
#include "services/referral/placement.h"

namespace telederm::referral {
namespace {

constexpr int kBatchSize = 16;
constexpr char kReferralActor[] = "referral";

// True when the case's last change was referral queuing it after screening:
// nothing has happened to it since, so repeating the QUEUED event is harmless.
bool LastChangeWasQueuing(const v1::Case& c) {
  if (c.history_size() == 0) return false;
  const v1::StatusChange& last = c.history(c.history_size() - 1);
  return last.from() == v1::CASE_STATUS_SCREENING && last.to() == v1::CASE_STATUS_QUEUED &&
         last.actor() == kReferralActor;
}

}  // namespace

TriagedConsumer::TriagedConsumer(std::shared_ptr<redis::Client> redis, ClockPtr clock, ReferralOptions options,
                                 std::string consumer_name)
    : clock_(std::move(clock)),
      options_(std::move(options)),
      store_(redis),
      events_(redis),
      index_(redis),
      stream_(redis, keys::kTriagedStream, keys::kReferralGroup, std::move(consumer_name)) {}

absl::Status TriagedConsumer::Start() {
  if (absl::Status s = stream_.EnsureGroup(); !s.ok()) return s;
  std::string after = "0";
  while (true) {
    absl::StatusOr<std::vector<redis::StreamEntry>> pending = stream_.ReadOwnPending(kBatchSize, after);
    if (!pending.ok()) return pending.status();
    if (pending->empty()) return absl::OkStatus();
    after = pending->back().id;
    if (absl::StatusOr<int> handled = HandleBatch(*pending); !handled.ok()) return handled.status();
  }
}

absl::StatusOr<int> TriagedConsumer::PollOnce(absl::Duration block) {
  absl::StatusOr<std::vector<redis::StreamEntry>> entries = stream_.ReadNew(kBatchSize, block);
  if (!entries.ok()) return entries.status();
  return HandleBatch(*entries);
}

absl::StatusOr<int> TriagedConsumer::ReclaimIdle(absl::Duration min_idle) {
  absl::StatusOr<std::vector<redis::StreamEntry>> entries = stream_.ClaimIdle(min_idle, kBatchSize);
  if (!entries.ok()) return entries.status();
  if (!entries->empty()) {
    LogInfo(absl::StrCat("took over ", entries->size(), " triaged entries idle for ",
                         absl::FormatDuration(min_idle), " or more"));
  }
  return HandleBatch(*entries);
}

absl::StatusOr<int> TriagedConsumer::HandleBatch(const std::vector<redis::StreamEntry>& entries) {
  absl::Status first_error;
  int handled = 0;
  for (const redis::StreamEntry& entry : entries) {
    absl::Status status = Handle(entry);
    if (status.ok()) status = stream_.Ack(entry.id);
    if (status.ok()) {
      ++handled;
    } else {
      LogWarning(absl::StrCat("triaged entry ", entry.id, " left pending: ", status.ToString()));
      if (first_error.ok()) first_error = status;
    }
  }
  if (!first_error.ok()) return first_error;
  return handled;
}

absl::Status TriagedConsumer::Handle(const redis::StreamEntry& entry) {
  std::optional<std::string> case_id = entry.Field("case_id");
  if (!case_id.has_value() || !IsValidCaseId(*case_id)) {
    LogError(absl::StrCat("triaged entry ", entry.id, " has no valid case_id; dropped"));
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<v1::Case>> current = store_.Get(*case_id);
  if (!current.ok()) return current.status();
  if (!current->has_value()) {
    LogError(absl::StrCat("triaged entry ", entry.id, ": case ", *case_id, " does not exist; dropped"));
    return absl::OkStatus();
  }
  const v1::Case& c = **current;
  switch (c.status()) {
    case v1::CASE_STATUS_SCREENING:
      return QueueScreenedCase(*case_id);
    case v1::CASE_STATUS_QUEUED:
      // Delivered again after a crash between storing and acking.
      if (c.pool().empty()) {
        LogError(absl::StrCat("case ", c.case_id(), " is queued without a pool; left for an operator"));
        return absl::OkStatus();
      }
      if (absl::Status s = index_.Enqueue(c.pool(), c.case_id(), FromProtoTimestamp(c.due_at())); !s.ok()) return s;
      if (LastChangeWasQueuing(c)) {
        const absl::Time now = clock_->Now();
        return events_.Append(MakeCaseEvent(c, v1::EVENT_TYPE_QUEUED, now), now).status();
      }
      return absl::OkStatus();
    case v1::CASE_STATUS_RECEIVED:
      // Triage writes the record before the stream entry; a RECEIVED record
      // means triage will screen it again and send a fresh entry.
      LogWarning(absl::StrCat("triaged entry ", entry.id, ": case ", *case_id, " is still received; skipped"));
      return absl::OkStatus();
    default:
      return absl::OkStatus();  // moved on already: claimed, reported, ...
  }
}

absl::Status TriagedConsumer::QueueScreenedCase(const std::string& case_id) {
  const absl::Time now = clock_->Now();
  bool queued_by_us = false;
  absl::StatusOr<v1::Case> stored = store_.Update(case_id, [&](v1::Case& c) -> absl::StatusOr<bool> {
    queued_by_us = false;
    if (c.status() != v1::CASE_STATUS_SCREENING) return false;  // another consumer was first
    const Placement placement = PlaceCase(c, options_);
    if (absl::Status s = TransitionCase(c, v1::CASE_STATUS_QUEUED, now, kReferralActor); !s.ok()) return s;
    c.set_urgency(placement.urgency);
    *c.mutable_due_at() = ToProtoTimestamp(placement.due);
    c.set_pool(placement.pool);
    queued_by_us = true;
    return true;
  });
  if (!stored.ok()) return stored.status();
  if (stored->status() != v1::CASE_STATUS_QUEUED) return absl::OkStatus();
  if (absl::Status s = index_.Enqueue(stored->pool(), case_id, FromProtoTimestamp(stored->due_at())); !s.ok()) {
    return s;
  }
  if (!queued_by_us) return absl::OkStatus();
  return events_.Append(MakeCaseEvent(*stored, v1::EVENT_TYPE_QUEUED, now), now).status();
}

}  // namespace telederm::referral
