#ifndef TELEDERM_SERVICES_REFERRAL_QUEUE_EVENTS_H_
#define TELEDERM_SERVICES_REFERRAL_QUEUE_EVENTS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis/client.h"
#include "telederm/v1/referral.pb.h"

namespace telederm::referral {

// The queue's view of a case record.
v1::QueueEntry QueueEntryOf(const v1::Case& c, absl::Time now);

// A queue event about `c` in `pool`.
v1::QueueEvent MakeQueueEvent(const v1::Case& c, absl::string_view pool, v1::QueueEventType type,
                              absl::string_view actor, absl::Time now);

// Each pool's queue changes, as a Redis stream per pool (keys::PoolEvents),
// read by ReferralService.WatchQueue. Live notifications, not a record: the
// stream keeps about the last 10,000 events of a pool. Appends are best effort
// (a failure is logged by the caller; the queue itself is unaffected).
// Thread-safe.
class QueueEventLog {
 public:
  explicit QueueEventLog(std::shared_ptr<redis::Client> redis);

  absl::StatusOr<std::string> Append(const v1::QueueEvent& event);
  // The command Append sends, for a caller that pipelines it with others.
  static std::vector<std::string> AppendCommand(const v1::QueueEvent& event);
  // Appends and logs a failure instead of returning it.
  void AppendOrLog(const v1::QueueEvent& event);
  // The warning AppendOrLog logs, for a caller that sent AppendCommand itself.
  static void LogNotRecorded(const v1::QueueEvent& event, const absl::Status& failure);

  // The id of the pool's newest event, "0-0" when there is none: where a new
  // watcher starts.
  absl::StatusOr<std::string> LastId(absl::string_view pool);
  // Events of `pool` after stream id `after`, at most `count`, waiting up to
  // `block` for the first (zero: do not wait). event_id is "<pool>/<stream id>".
  absl::StatusOr<std::vector<v1::QueueEvent>> ReadAfter(absl::string_view pool, absl::string_view after, int count,
                                                        absl::Duration block);

 private:
  std::shared_ptr<redis::Client> redis_;
};

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_QUEUE_EVENTS_H_
