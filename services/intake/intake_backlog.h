#ifndef TELEDERM_SERVICES_INTAKE_INTAKE_BACKLOG_H_
#define TELEDERM_SERVICES_INTAKE_INTAKE_BACKLOG_H_

#include <cstdint>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "common/redis/client.h"

namespace telederm::intake {

// How many cases wait for triage: the entries of stream:intake that group
// "triage" has not read (its lag) plus those read and not yet acked (its
// pending). Asks Redis at most once per `refresh`; between, the last answer
// is reused. Thread-safe.
class IntakeBacklog {
 public:
  IntakeBacklog(std::shared_ptr<redis::Client> redis, ClockPtr clock, absl::Duration refresh);

  absl::StatusOr<int64_t> Current();

 private:
  absl::StatusOr<int64_t> Read();

  std::shared_ptr<redis::Client> redis_;
  ClockPtr clock_;
  const absl::Duration refresh_;
  absl::Mutex mutex_;
  int64_t last_ ABSL_GUARDED_BY(mutex_) = 0;
  absl::Time read_at_ ABSL_GUARDED_BY(mutex_) = absl::InfinitePast();
};

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_INTAKE_BACKLOG_H_
