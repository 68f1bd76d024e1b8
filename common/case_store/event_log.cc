#include "common/case_store/event_log.h"

#include "absl/strings/str_cat.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/keys.h"
#include "common/redis/stream.h"

namespace telederm {

v1::CaseEvent MakeCaseEvent(const v1::Case& c, v1::EventType type, absl::Time at) {
  v1::CaseEvent event;
  event.set_case_id(c.case_id());
  event.set_clinic_id(c.clinic_id());
  event.set_type(type);
  event.set_status(c.status());
  event.set_urgency(c.urgency());
  *event.mutable_at() = ToProtoTimestamp(at);
  if (type == v1::EVENT_TYPE_REPORTED) *event.mutable_report() = c.report();
  return event;
}

bool IsValidEventId(absl::string_view id) { return redis::ParseStreamId(id).has_value(); }

EventLog::EventLog(std::shared_ptr<redis::Client> redis, absl::Duration retention)
    : redis_(std::move(redis)), retention_(retention) {}

// An entry is one field, pb: the event without its clinic id, which the key
// already names (ReadAfter puts it back). Entries of the earlier layout also
// carry a case_id field and the clinic id in pb; they read the same.
std::vector<std::string> EventLog::AppendCommand(const v1::CaseEvent& event, absl::Time now) const {
  v1::CaseEvent stored = event;
  stored.clear_clinic_id();
  stored.clear_event_id();
  return {"XADD", keys::ClinicEvents(event.clinic_id()), "MINID", "~",
          absl::StrCat(absl::ToUnixMillis(now - retention_)), "*", "pb", stored.SerializeAsString()};
}

absl::StatusOr<std::string> EventLog::Append(const v1::CaseEvent& event, absl::Time now) {
  absl::StatusOr<redis::Reply> reply = redis_->Command(AppendCommand(event, now));
  if (!reply.ok()) return reply.status();
  return reply->str;
}

absl::StatusOr<std::vector<v1::CaseEvent>> EventLog::ReadAfter(absl::string_view clinic_id,
                                                               absl::string_view after_event_id, int count,
                                                               absl::Duration block) {
  std::string after = after_event_id.empty() ? "0-0" : std::string(after_event_id);
  if (!IsValidEventId(after)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "after_event_id '", after_event_id, "' is not an event id (like 1790000000000-0); pass the event_id of the "
        "last event you received, or leave it empty to start from the oldest"));
  }
  std::vector<std::string> argv = {"XREAD", "COUNT", absl::StrCat(count)};
  absl::StatusOr<redis::Reply> reply;
  if (block > absl::ZeroDuration()) {
    argv.insert(argv.end(), {"BLOCK", absl::StrCat(absl::ToInt64Milliseconds(block))});
    argv.insert(argv.end(), {"STREAMS", keys::ClinicEvents(clinic_id), after});
    reply = redis_->BlockingCommand(argv, block);
  } else {
    argv.insert(argv.end(), {"STREAMS", keys::ClinicEvents(clinic_id), after});
    reply = redis_->Command(argv);
  }
  if (!reply.ok()) return reply.status();
  std::vector<v1::CaseEvent> events;
  // Reply: [[stream, [[id, [field, value, ...]], ...]]] or nil on timeout.
  if (reply->IsNil() || reply->elements.empty()) return events;
  const redis::Reply& entries = reply->elements[0].elements.at(1);
  for (const redis::Reply& entry : entries.elements) {
    if (entry.elements.size() < 2) continue;
    const redis::Reply& fields = entry.elements[1];
    for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
      if (fields.elements[i].str != "pb") continue;
      v1::CaseEvent event;
      if (!event.ParseFromString(fields.elements[i + 1].str)) {
        return absl::DataLossError(absl::StrCat("event ", entry.elements[0].str, " does not parse"));
      }
      event.set_event_id(entry.elements[0].str);
      event.set_clinic_id(std::string(clinic_id));
      events.push_back(std::move(event));
    }
  }
  return events;
}

}  // namespace telederm
