#ifndef TELEDERM_COMMON_CLOCK_CLOCK_H_
#define TELEDERM_COMMON_CLOCK_CLOCK_H_

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace telederm {

// Where services read the time, so that tests can move it instead of sleeping.
// Implementations are safe for concurrent use.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};
using ClockPtr = std::shared_ptr<const Clock>;

// The system's wall clock.
ClockPtr RealClock();

// A clock that only moves when told to.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override;
  void Advance(absl::Duration by);
  void Set(absl::Time to);

 private:
  mutable absl::Mutex mutex_;
  absl::Time now_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace telederm

#endif  // TELEDERM_COMMON_CLOCK_CLOCK_H_
