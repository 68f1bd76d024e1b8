#ifndef TELEDERM_COMMON_CASE_STORE_EVENT_LOG_H_
#define TELEDERM_COMMON_CASE_STORE_EVENT_LOG_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis/client.h"
#include "telederm/v1/case.pb.h"

namespace telederm {

// Builds the event for a change of `c` (status, urgency and, for reports and
// messages, their content).
v1::CaseEvent MakeCaseEvent(const v1::Case& c, v1::EventType type, absl::Time at);

// Each clinic's events, as a Redis stream per clinic. An event's id is its
// stream id, so a client that was offline resumes from the last id it saw.
// Events older than `retention` are trimmed as new ones arrive.
// Safe for concurrent use.
class EventLog {
 public:
  EventLog(std::shared_ptr<redis::Client> redis, absl::Duration retention = absl::Hours(24 * 30));

  // Appends the event to its clinic's stream; returns the event id.
  absl::StatusOr<std::string> Append(const v1::CaseEvent& event, absl::Time now);

  // The command Append sends, for a caller that pipelines it with other
  // writes; its reply is the event id.
  std::vector<std::string> AppendCommand(const v1::CaseEvent& event, absl::Time now) const;

  // Events of `clinic_id` after `after_event_id` ("" = from the oldest kept),
  // at most `count`, waiting up to `block` for the first one (zero: do not wait).
  // INVALID_ARGUMENT for a malformed event id.
  absl::StatusOr<std::vector<v1::CaseEvent>> ReadAfter(absl::string_view clinic_id, absl::string_view after_event_id,
                                                       int count, absl::Duration block);

 private:
  std::shared_ptr<redis::Client> redis_;
  const absl::Duration retention_;
};

// True for "<ms>-<seq>" stream ids.
bool IsValidEventId(absl::string_view id);

}  // namespace telederm

#endif  // TELEDERM_COMMON_CASE_STORE_EVENT_LOG_H_
