#include "services/referral/triaged_stream_handler.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/case_state/state_machine.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/keys.h"
#include "common/logging/log.h"
#include "services/referral/placement.h"
#include "services/referral/queue_events.h"
#include "services/referral/queue_index.h"

namespace telederm::referral {
namespace {

constexpr char kReferralActor[] = "referral";

// A case queued before (it has a pool and a due time) that triage screened
// again: the clinic answered a question with new images.
bool WasQueuedBefore(const v1::Case& c) { return !c.pool().empty() && c.has_due_at(); }

// True when the case's last change put it in the queue and referral has
// placed it since (queued after screening, or back after the clinic's text
// answer): nothing has happened to it since, so repeating the QUEUED event is
// harmless.
bool LastChangeWasQueuing(const v1::Case& c) {
  if (c.history_size() == 0 || c.has_info_requested_at()) return false;
  const v1::StatusChange& last = c.history(c.history_size() - 1);
  if (last.to() != v1::CASE_STATUS_QUEUED) return false;
  return (last.from() == v1::CASE_STATUS_SCREENING && last.actor() == kReferralActor) ||
         last.from() == v1::CASE_STATUS_NEEDS_INFO;
}

void LogNothingToDo(const v1::Case& c) {
  if (c.status() == v1::CASE_STATUS_QUEUED && c.pool().empty()) {
    LogError(absl::StrCat("case ", c.case_id(), " is queued without a pool; left for an operator"));
  } else if (c.status() == v1::CASE_STATUS_RECEIVED) {
    // Triage writes the record before the stream entry; a RECEIVED record
    // means triage will screen it again and send a fresh entry.
    LogWarning(absl::StrCat("triaged case ", c.case_id(), " is still received; skipped"));
  }
}

}  // namespace

bool NeedsRouting(const v1::Case& c) { return c.status() == v1::CASE_STATUS_SCREENING && !WasQueuedBefore(c); }

absl::StatusOr<TriagedStep> DecideTriaged(v1::Case& c, const Routing& routing, const ReferralOptions& options,
                                          absl::Time now) {
  switch (c.status()) {
    case v1::CASE_STATUS_SCREENING: {
      ResumeAfterAnswer(c);  // back after an answer with images: its pause ends first
      const bool rescreened = WasQueuedBefore(c);
      const Placement placement = rescreened ? PlaceRescreenedCase(c, options) : PlaceCase(c, routing, options);
      if (absl::Status s = TransitionCase(c, v1::CASE_STATUS_QUEUED, now, kReferralActor,
                                          rescreened ? "re-screened after the clinic's answer" : "");
          !s.ok()) {
        return s;
      }
      c.set_urgency(placement.urgency);
      *c.mutable_due_at() = ToProtoTimestamp(placement.due);
      c.set_pool(placement.pool);
      return TriagedStep{.store = true, .index = true, .clinic_event = true};
    }
    case v1::CASE_STATUS_QUEUED:
      if (c.pool().empty()) return TriagedStep{};
      if (ResumeAfterAnswer(c)) return TriagedStep{.store = true, .index = true, .clinic_event = true};
      return TriagedStep{.index = true, .clinic_event = LastChangeWasQueuing(c)};
    default:
      return TriagedStep{};
  }
}

TriagedStreamHandler::TriagedStreamHandler(std::shared_ptr<redis::Client> redis, ClockPtr clock,
                                           ReferralOptions options)
    : redis_(redis), clock_(std::move(clock)), options_(std::move(options)), batch_(redis), events_(redis),
      directory_(redis) {}

absl::Status TriagedStreamHandler::Handle(const redis::StreamEntry& entry) { return HandleBatch({entry})[0]; }

std::vector<absl::Status> TriagedStreamHandler::HandleBatch(const std::vector<redis::StreamEntry>& entries) {
  std::vector<absl::Status> handled(entries.size(), absl::OkStatus());
  std::vector<TriagedStep> steps(entries.size());
  std::vector<Decided> decided;
  Routing routing;
  const absl::Time now = clock_->Now();
  batch_.DecideAndStore(
      batch_.ReadNamed(entries, keys::kTriagedStream, handled),
      // Routing reads the directory before the decisions, which make no Redis calls.
      [&](const std::vector<CaseBatch::Member>& members) { return ReadRoutingFor(members, routing); },
      [&](CaseBatch::Member& m, int round) -> absl::StatusOr<bool> {
        absl::StatusOr<TriagedStep> step = DecideTriaged(m.record, routing, options_, now);
        if (!step.ok()) return step.status();
        // A case someone else changed meanwhile: whoever queued it told the clinic.
        if (round > 0) step->clinic_event = step->store;
        if (!step->store && !step->index) LogNothingToDo(m.record);
        steps[m.entry] = *step;
        return step->store;
      },
      [&](CaseBatch::Member& m, int) { decided.push_back({m.entry, std::move(m.record), steps[m.entry]}); },
      handled);
  IndexAndTell(decided, handled);
  return handled;
}

absl::Status TriagedStreamHandler::ReadRoutingFor(const std::vector<CaseBatch::Member>& members, Routing& routing) {
  std::set<std::string> unread;
  for (const CaseBatch::Member& m : members) {
    if (NeedsRouting(m.record) && !routing.clinics.contains(m.record.clinic_id())) unread.insert(m.record.clinic_id());
  }
  if (unread.empty()) return absl::OkStatus();
  absl::StatusOr<Routing> read = directory_.ReadRouting(unread);
  if (!read.ok()) return read.status();
  routing.pools = std::move(read->pools);
  routing.clinics.merge(read->clinics);
  return absl::OkStatus();
}

void TriagedStreamHandler::IndexAndTell(const std::vector<Decided>& decided, std::vector<absl::Status>& handled) {
  // The queue index of every case to index, in one pipeline: each pool
  // registered once, then each case's entry.
  std::vector<std::vector<std::string>> writes;
  std::set<std::string> pools;
  std::vector<size_t> indexed;  // index into decided
  std::vector<size_t> zadd_at;  // per indexed case: its ZADD in writes
  for (size_t d = 0; d < decided.size(); ++d) {
    if (!decided[d].step.index) continue;
    const v1::Case& c = decided[d].record;
    if (pools.insert(c.pool()).second) writes.push_back(QueueIndex::RegisterPoolCommand(c.pool()));
    for (std::vector<std::string>& command : QueueIndex::EntryCommands(c)) writes.push_back(std::move(command));
    indexed.push_back(d);
    zadd_at.push_back(writes.size() - 1);  // EntryCommands ends with the ZADD
  }
  if (indexed.empty()) return;
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> written = redis_->Pipeline(writes);
  absl::Status index_status = written.status();
  for (size_t w = 0; index_status.ok() && w < written->size(); ++w) index_status = (*written)[w].status();
  if (!index_status.ok()) {
    // Which case a failed write belongs to is not tracked: none is acked, all
    // are redelivered (idempotent).
    for (size_t d : indexed) handled[decided[d].entry] = index_status;
    return;
  }

  // Then their queue events (when newly in the queue) and the clinics' QUEUED events.
  const absl::Time now = clock_->Now();
  std::vector<std::vector<std::string>> events;
  std::vector<bool> is_queue_event;
  std::vector<std::pair<size_t, size_t>> clinic_event_of;  // (decided, its command in events)
  for (size_t q = 0; q < indexed.size(); ++q) {
    const Decided& d = decided[indexed[q]];
    if ((*written)[zadd_at[q]]->integer == 1) {
      events.push_back(QueueEventLog::AppendCommand(
          MakeQueueEvent(d.record, d.record.pool(), v1::QUEUE_EVENT_TYPE_QUEUED, kReferralActor, now)));
      is_queue_event.push_back(true);
    }
    if (d.step.clinic_event) {
      clinic_event_of.emplace_back(indexed[q], events.size());
      events.push_back(events_.AppendCommand(MakeCaseEvent(d.record, v1::EVENT_TYPE_QUEUED, now), now));
      is_queue_event.push_back(false);
    }
  }
  if (events.empty()) return;
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> appended = redis_->Pipeline(events);
  for (size_t e = 0; appended.ok() && e < events.size(); ++e) {
    if (is_queue_event[e] && !(*appended)[e].ok()) {
      LogWarning(absl::StrCat("queue event not recorded: ", (*appended)[e].status().ToString()));  // best effort
    }
  }
  for (const auto& [d, e] : clinic_event_of) {
    handled[decided[d].entry] = appended.ok() ? (*appended)[e].status() : appended.status();
  }
}

}  // namespace telederm::referral
