#include "services/referral/escalation.h"

#include "absl/strings/str_cat.h"
#include "common/case_state/timestamps.h"
#include "common/logging/log.h"

namespace telederm::referral {
namespace {

constexpr int kOverduePerPoolPerPass = 100;
constexpr char kEscalationActor[] = "referral-escalation";

}  // namespace

Escalator::Escalator(std::shared_ptr<redis::Client> redis, ClockPtr clock)
    : clock_(std::move(clock)), store_(redis), index_(redis), queue_events_(redis), directory_(redis) {}

absl::StatusOr<int> Escalator::CheckOnce() {
  absl::StatusOr<std::vector<std::string>> pools = index_.Pools();
  if (!pools.ok()) return pools.status();
  int sent = 0;
  for (const std::string& pool : *pools) {
    const absl::Time now = clock_->Now();
    absl::StatusOr<std::vector<QueuedCase>> overdue = index_.Overdue(pool, now, kOverduePerPoolPerPass);
    if (!overdue.ok()) return overdue.status();
    if (overdue->empty()) continue;
    absl::StatusOr<std::vector<std::string>> supervisors = directory_.SupervisorsOf(pool);
    if (!supervisors.ok()) return supervisors.status();
    for (const QueuedCase& queued : *overdue) {
      absl::StatusOr<std::optional<v1::Case>> c = store_.Get(queued.case_id);
      if (!c.ok()) return c.status();
      // The record decides: only a case waiting in this pool at this due time.
      if (!c->has_value() || (*c)->status() != v1::CASE_STATUS_QUEUED || (*c)->pool() != pool ||
          FromProtoTimestamp((*c)->due_at()) != queued.due) {
        continue;
      }
      absl::StatusOr<bool> first = index_.MarkEscalated(pool, queued.case_id, queued.due);
      if (!first.ok()) return first.status();
      if (!*first) continue;
      v1::QueueEvent event = MakeQueueEvent(**c, pool, v1::QUEUE_EVENT_TYPE_ESCALATED, kEscalationActor, now);
      for (const std::string& supervisor : *supervisors) event.add_supervisors(supervisor);
      absl::StatusOr<std::string> id = queue_events_.Append(event);
      if (!id.ok()) return id.status();
      LogWarning(absl::StrCat("case ", queued.case_id, " in pool ", pool, " is overdue (due ",
                              absl::FormatTime(queued.due), "); escalated to ",
                              supervisors->empty() ? "nobody: the pool has no supervisor" : "its supervisors"));
      ++sent;
    }
  }
  return sent;
}

}  // namespace telederm::referral
