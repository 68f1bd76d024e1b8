#include "services/referral/triaged_handler.h"

#include "absl/strings/str_cat.h"
#include "common/case_state/state_machine.h"
#include "common/case_state/timestamps.h"
#include "common/ids/ids.h"
#include "common/logging/log.h"
#include "services/referral/placement.h"

namespace telederm::referral {
namespace {

constexpr char kReferralActor[] = "referral";

// True when the case's last change was referral queuing it after screening:
// nothing has happened to it since, so repeating the QUEUED event is harmless.
bool LastChangeWasQueuing(const v1::Case& c) {
  if (c.history_size() == 0) return false;
  const v1::StatusChange& last = c.history(c.history_size() - 1);
  return last.from() == v1::CASE_STATUS_SCREENING && last.to() == v1::CASE_STATUS_QUEUED &&
         last.actor() == kReferralActor;
}

// A case queued before (it has a pool and a due time) that triage screened
// again: the clinic answered a question with new images.
bool WasQueuedBefore(const v1::Case& c) { return !c.pool().empty() && c.has_due_at(); }

}  // namespace

QueueMeta QueueMetaOf(const v1::Case& c) { return QueueMeta{c.clinic_id(), static_cast<int>(c.urgency())}; }

TriagedHandler::TriagedHandler(std::shared_ptr<redis::Client> redis, ClockPtr clock, ReferralOptions options)
    : clock_(std::move(clock)),
      options_(std::move(options)),
      store_(redis),
      events_(redis),
      index_(redis),
      queue_events_(redis),
      directory_(redis) {}

absl::Status TriagedHandler::Handle(const redis::StreamEntry& entry) {
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
      return QueueScreenedCase(c);
    case v1::CASE_STATUS_QUEUED:
      if (c.pool().empty()) {
        LogError(absl::StrCat("case ", c.case_id(), " is queued without a pool; left for an operator"));
        return absl::OkStatus();
      }
      if (absl::Status s = IndexQueuedCase(c); !s.ok()) return s;
      if (LastChangeWasQueuing(c)) {  // delivered again after a crash between storing and acking
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

absl::Status TriagedHandler::IndexQueuedCase(const v1::Case& c) {
  absl::StatusOr<bool> added = index_.Enqueue(c.pool(), c.case_id(), FromProtoTimestamp(c.due_at()), QueueMetaOf(c));
  if (!added.ok()) return added.status();
  if (*added) {
    queue_events_.AppendOrLog(MakeQueueEvent(c, c.pool(), v1::QUEUE_EVENT_TYPE_QUEUED, kReferralActor, clock_->Now()));
  }
  return absl::OkStatus();
}

absl::Status TriagedHandler::QueueScreenedCase(const v1::Case& current) {
  const absl::Time now = clock_->Now();
  // Routing reads the directory before the compare-and-set, which may run
  // the mutation several times and must not make Redis calls itself.
  RoutingDirectory routing;
  if (!WasQueuedBefore(current)) {
    absl::StatusOr<std::vector<v1::PoolProfile>> pools = directory_.ListPools();
    if (!pools.ok()) return pools.status();
    routing.pools = *std::move(pools);
    absl::StatusOr<std::optional<v1::ClinicProfile>> clinic = directory_.GetClinic(current.clinic_id());
    if (!clinic.ok()) return clinic.status();
    routing.clinic = *std::move(clinic);
  }
  bool queued_by_us = false;
  absl::StatusOr<v1::Case> stored = store_.UpdateFrom(current, [&](v1::Case& c) -> absl::StatusOr<bool> {
    queued_by_us = false;
    if (c.status() != v1::CASE_STATUS_SCREENING) return false;  // another consumer was first
    const bool rescreened = WasQueuedBefore(c);
    const Placement placement = rescreened ? PlaceRescreenedCase(c, options_) : PlaceCase(c, routing, options_);
    if (absl::Status s = TransitionCase(c, v1::CASE_STATUS_QUEUED, now, kReferralActor,
                                        rescreened ? "re-screened after the clinic's answer" : "");
        !s.ok()) {
      return s;
    }
    c.set_urgency(placement.urgency);
    *c.mutable_due_at() = ToProtoTimestamp(placement.due);
    c.set_pool(placement.pool);
    queued_by_us = true;
    return true;
  });
  if (!stored.ok()) return stored.status();
  if (stored->status() != v1::CASE_STATUS_QUEUED) return absl::OkStatus();
  if (absl::Status s = IndexQueuedCase(*stored); !s.ok()) return s;
  if (!queued_by_us) return absl::OkStatus();
  return events_.Append(MakeCaseEvent(*stored, v1::EVENT_TYPE_QUEUED, now), now).status();
}

}  // namespace telederm::referral
