#include "services/referral/queue_events.h"

#include "absl/strings/str_cat.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/keys.h"
#include "common/logging/log.h"

namespace telederm::referral {
namespace {

constexpr char kMaxEventsPerPool[] = "10000";

}  // namespace

v1::QueueEntry QueueEntryOf(const v1::Case& c, absl::Time now) {
  v1::QueueEntry entry;
  entry.set_case_id(c.case_id());
  entry.set_clinic_id(c.clinic_id());
  entry.set_pool(c.pool());
  entry.set_urgency(c.urgency());
  *entry.mutable_received_at() = c.received_at();
  *entry.mutable_due_at() = c.due_at();
  entry.set_risk_score(c.triage().risk_score());
  entry.set_screened(c.triage().screened());
  entry.set_overdue(FromProtoTimestamp(c.due_at()) < now);
  entry.set_case_type(c.submission().type());
  entry.set_second_opinion(c.second_opinions_size() > 0 &&
                           c.second_opinions(c.second_opinions_size() - 1).pool() == c.pool());
  return entry;
}

v1::QueueEvent MakeQueueEvent(const v1::Case& c, absl::string_view pool, v1::QueueEventType type,
                              absl::string_view actor, absl::Time now) {
  v1::QueueEvent event;
  event.set_pool(std::string(pool));
  event.set_case_id(c.case_id());
  event.set_type(type);
  *event.mutable_at() = ToProtoTimestamp(now);
  *event.mutable_entry() = QueueEntryOf(c, now);
  event.set_actor(std::string(actor));
  return event;
}

QueueEventLog::QueueEventLog(std::shared_ptr<redis::Client> redis) : redis_(std::move(redis)) {}

// An entry is one field, pb: the event without what its key and its queue
// entry already say: the pool (the key names it; entry.pool too, unless the
// case moved to another pool) and the case id (entry.case_id repeats it).
// ReadAfter puts them back; an entry whose pool is unset is of this layout.
// Entries of the earlier layout (the whole event) read the same, and an event
// this layout could not restore exactly (no entry pool) is stored whole.
std::vector<std::string> QueueEventLog::AppendCommand(const v1::QueueEvent& event) {
  v1::QueueEvent stored = event;
  stored.clear_event_id();
  if (!event.pool().empty() && !event.case_id().empty() && event.entry().case_id() == event.case_id() &&
      !event.entry().pool().empty()) {
    stored.clear_pool();
    stored.clear_case_id();
    if (event.entry().pool() == event.pool()) stored.mutable_entry()->clear_pool();
  }
  return {"XADD", keys::PoolEvents(event.pool()), "MAXLEN", "~", kMaxEventsPerPool, "*", "pb",
          stored.SerializeAsString()};
}

absl::StatusOr<std::string> QueueEventLog::Append(const v1::QueueEvent& event) {
  absl::StatusOr<redis::Reply> reply = redis_->Command(AppendCommand(event));
  if (!reply.ok()) return reply.status();
  return reply->str;
}

void QueueEventLog::AppendOrLog(const v1::QueueEvent& event) {
  if (absl::StatusOr<std::string> id = Append(event); !id.ok()) LogNotRecorded(event, id.status());
}

void QueueEventLog::LogNotRecorded(const v1::QueueEvent& event, const absl::Status& failure) {
  LogWarning(absl::StrCat("pool ", event.pool(), ": queue event for case ", event.case_id(), " not recorded: ",
                          failure.ToString()));
}

absl::StatusOr<std::string> QueueEventLog::LastId(absl::string_view pool) {
  absl::StatusOr<redis::Reply> reply = redis_->Command({"XREVRANGE", keys::PoolEvents(pool), "+", "-", "COUNT", "1"});
  if (!reply.ok()) return reply.status();
  if (reply->elements.empty()) return std::string("0-0");
  return reply->elements[0].elements.at(0).str;
}

absl::StatusOr<std::vector<v1::QueueEvent>> QueueEventLog::ReadAfter(absl::string_view pool, absl::string_view after,
                                                                     int count, absl::Duration block) {
  std::vector<std::string> argv = {"XREAD", "COUNT", absl::StrCat(count)};
  if (block > absl::ZeroDuration()) argv.insert(argv.end(), {"BLOCK", absl::StrCat(absl::ToInt64Milliseconds(block))});
  argv.insert(argv.end(), {"STREAMS", keys::PoolEvents(pool), std::string(after)});
  absl::StatusOr<redis::Reply> reply =
      block > absl::ZeroDuration() ? redis_->BlockingCommand(argv, block) : redis_->Command(argv);
  if (!reply.ok()) return reply.status();
  std::vector<v1::QueueEvent> events;
  if (reply->IsNil() || reply->elements.empty()) return events;
  for (const redis::Reply& entry : reply->elements[0].elements.at(1).elements) {
    if (entry.elements.size() < 2) continue;
    const redis::Reply& fields = entry.elements[1];
    for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
      if (fields.elements[i].str != "pb") continue;
      v1::QueueEvent event;
      if (!event.ParseFromString(fields.elements[i + 1].str)) continue;
      if (event.pool().empty()) {  // the compact layout (AppendCommand)
        event.set_pool(std::string(pool));
        event.set_case_id(event.entry().case_id());
        if (event.entry().pool().empty()) event.mutable_entry()->set_pool(std::string(pool));
      }
      event.set_event_id(absl::StrCat(pool, "/", entry.elements[0].str));
      events.push_back(std::move(event));
    }
  }
  return events;
}

}  // namespace telederm::referral
