#include "services/referral/triaged_handler.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/case_state/state_machine.h"
#include "common/case_state/timestamps.h"
#include "common/ids/ids.h"
#include "common/logging/log.h"
#include "services/referral/placement.h"

namespace telederm::referral {
namespace {

constexpr char kReferralActor[] = "referral";

// True when the case's last change put it in the queue and referral has
// placed it since (queued after screening, or resumed after the clinic's text
// answer): nothing has happened to it since, so repeating the QUEUED event is
// harmless.
bool LastChangeWasQueuing(const v1::Case& c) {
  if (c.history_size() == 0 || c.has_info_requested_at()) return false;
  const v1::StatusChange& last = c.history(c.history_size() - 1);
  if (last.to() != v1::CASE_STATUS_QUEUED) return false;
  return (last.from() == v1::CASE_STATUS_SCREENING && last.actor() == kReferralActor) ||
         last.from() == v1::CASE_STATUS_NEEDS_INFO;
}

// A case queued before (it has a pool and a due time) that triage screened
// again: the clinic answered a question with new images.
bool WasQueuedBefore(const v1::Case& c) { return !c.pool().empty() && c.has_due_at(); }

}  // namespace

QueueMeta QueueMetaOf(const v1::Case& c) { return QueueMeta{c.clinic_id(), static_cast<int>(c.urgency())}; }

TriagedHandler::TriagedHandler(std::shared_ptr<redis::Client> redis, ClockPtr clock, ReferralOptions options)
    : redis_(redis),
      clock_(std::move(clock)),
      options_(std::move(options)),
      store_(redis),
      batch_(redis),
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
      if (c.has_info_requested_at()) return ResumeAnsweredCase(c);
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

absl::Status TriagedHandler::ResumeAnsweredCase(const v1::Case& current) {
  bool resumed_by_us = false;
  absl::StatusOr<v1::Case> stored = store_.UpdateFrom(current, [&](v1::Case& c) -> absl::StatusOr<bool> {
    resumed_by_us = c.status() == v1::CASE_STATUS_QUEUED && ResumeAfterAnswer(c);
    return resumed_by_us;
  });
  if (!stored.ok()) return stored.status();
  if (stored->status() != v1::CASE_STATUS_QUEUED) return absl::OkStatus();  // claimed already, ...
  if (absl::Status s = IndexQueuedCase(*stored); !s.ok()) return s;
  if (!resumed_by_us) return absl::OkStatus();
  const absl::Time now = clock_->Now();
  return events_.Append(MakeCaseEvent(*stored, v1::EVENT_TYPE_QUEUED, now), now).status();
}

absl::StatusOr<bool> TriagedHandler::Queue(v1::Case& c, const RoutingDirectory& routing, absl::Time now) const {
  if (c.status() != v1::CASE_STATUS_SCREENING) return false;  // another consumer was first
  ResumeAfterAnswer(c);  // re-screened after an answer with images: its pause ends first
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
  return true;
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
    absl::StatusOr<bool> queued = Queue(c, routing, now);
    queued_by_us = queued.ok() && *queued;
    return queued;
  });
  if (!stored.ok()) return stored.status();
  if (stored->status() != v1::CASE_STATUS_QUEUED) return absl::OkStatus();
  if (absl::Status s = IndexQueuedCase(*stored); !s.ok()) return s;
  if (!queued_by_us) return absl::OkStatus();
  return events_.Append(MakeCaseEvent(*stored, v1::EVENT_TYPE_QUEUED, now), now).status();
}

}  // namespace telederm::referral

namespace telederm::referral {

std::vector<absl::Status> TriagedHandler::HandleBatch(const std::vector<redis::StreamEntry>& entries) {
  std::vector<absl::Status> handled(entries.size(), absl::OkStatus());
  CaseBatch::NamedCases named = batch_.ReadNamed(entries, "stream:triaged");

  // SCREENING cases are queued here; any other state goes through Handle.
  std::vector<v1::Case> cases;
  std::vector<size_t> case_entry;
  std::set<std::string> clinics_to_route;
  for (size_t k = 0; k < named.entry.size(); ++k) {
    const size_t i = named.entry[k];
    absl::StatusOr<std::optional<v1::Case>>& record = named.records[k];
    if (!record.ok()) {
      handled[i] = record.status();
    } else if (!record->has_value() || (**record).status() != v1::CASE_STATUS_SCREENING) {
      handled[i] = Handle(entries[i]);
    } else {
      if (!WasQueuedBefore(**record)) clinics_to_route.insert((**record).clinic_id());
      cases.push_back(std::move(**record));
      case_entry.push_back(i);
    }
  }
  if (cases.empty()) return handled;
  auto fail_all = [&](const absl::Status& status) {
    for (size_t i : case_entry) handled[i] = status;
    return handled;
  };

  // Routing reads the directory first: the placement must not make Redis calls.
  Directory::Routing routing;
  if (!clinics_to_route.empty()) {
    absl::StatusOr<Directory::Routing> read = directory_.ReadRouting(clinics_to_route);
    if (!read.ok()) return fail_all(read.status());
    routing = *std::move(read);
  }
  const absl::Time now = clock_->Now();
  std::vector<v1::Case*> to_store;
  std::vector<size_t> stored_case;  // index into cases
  for (size_t j = 0; j < cases.size(); ++j) {
    RoutingDirectory directory{.pools = routing.pools, .clinic = std::nullopt};
    if (auto clinic = routing.clinics.find(cases[j].clinic_id()); clinic != routing.clinics.end()) {
      directory.clinic = clinic->second;
    }
    absl::StatusOr<bool> queued = Queue(cases[j], directory, now);
    if (!queued.ok()) {
      handled[case_entry[j]] = queued.status();
      continue;
    }
    to_store.push_back(&cases[j]);
    stored_case.push_back(j);
  }
  if (to_store.empty()) return handled;
  absl::StatusOr<std::vector<absl::StatusOr<bool>>> stored = batch_.CompareAndSetAll(to_store);
  if (!stored.ok()) {
    for (size_t j : stored_case) handled[case_entry[j]] = stored.status();
    return handled;
  }

  // The queue index of every case stored as QUEUED, in one pipeline.
  std::vector<size_t> queued;  // index into cases
  std::vector<std::vector<std::string>> index_writes;
  std::set<std::string> pools_added;
  std::vector<size_t> zadd_at;  // per queued case: its ZADD in index_writes
  for (size_t n = 0; n < stored_case.size(); ++n) {
    const size_t j = stored_case[n];
    if (!(*stored)[n].ok() || !*(*stored)[n]) {
      handled[case_entry[j]] = Handle(entries[case_entry[j]]);  // someone else wrote it: the careful way
      continue;
    }
    const v1::Case& c = cases[j];
    for (std::vector<std::string>& command :
         QueueIndex::EnqueueCommands(c.pool(), c.case_id(), FromProtoTimestamp(c.due_at()), QueueMetaOf(c))) {
      if (command[0] == "SADD" && !pools_added.insert(c.pool()).second) continue;  // once per pool and batch
      if (command[0] == "ZADD") zadd_at.push_back(index_writes.size());
      index_writes.push_back(std::move(command));
    }
    queued.push_back(j);
  }
  if (queued.empty()) return handled;
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> indexed = redis_->Pipeline(index_writes);
  if (!indexed.ok()) {
    for (size_t j : queued) handled[case_entry[j]] = indexed.status();
    return handled;
  }
  for (const absl::StatusOr<redis::Reply>& reply : *indexed) {
    if (reply.ok()) continue;
    // Which case a failed SADD belongs to is not tracked: none is acked, all are redelivered (idempotent).
    for (size_t j : queued) handled[case_entry[j]] = reply.status();
    return handled;
  }

  // Then their queue events (when newly in the queue) and the clinics' QUEUED events.
  std::vector<std::vector<std::string>> events;
  std::vector<size_t> clinic_event_of;  // per entry in `queued`: its command in `events`
  std::vector<bool> is_queue_event;
  for (size_t q = 0; q < queued.size(); ++q) {
    const v1::Case& c = cases[queued[q]];
    if ((*indexed)[zadd_at[q]]->integer == 1) {
      events.push_back(QueueEventLog::AppendCommand(MakeQueueEvent(c, c.pool(), v1::QUEUE_EVENT_TYPE_QUEUED,
                                                                   kReferralActor, clock_->Now())));
      is_queue_event.push_back(true);
    }
    clinic_event_of.push_back(events.size());
    events.push_back(events_.AppendCommand(MakeCaseEvent(c, v1::EVENT_TYPE_QUEUED, now), now));
    is_queue_event.push_back(false);
  }
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> appended = redis_->Pipeline(events);
  for (size_t e = 0; appended.ok() && e < events.size(); ++e) {
    if (is_queue_event[e] && !(*appended)[e].ok()) {
      LogWarning(absl::StrCat("queue event not recorded: ", (*appended)[e].status().ToString()));  // best effort
    }
  }
  for (size_t q = 0; q < queued.size(); ++q) {
    handled[case_entry[queued[q]]] = appended.ok() ? (*appended)[clinic_event_of[q]].status() : appended.status();
  }
  return handled;
}

}  // namespace telederm::referral
