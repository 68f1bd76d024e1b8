#include "common/clock/clock.h"

namespace telederm {
namespace {

class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace

ClockPtr RealClock() {
  static const ClockPtr clock = std::make_shared<SystemClock>();
  return clock;
}

absl::Time SimulatedClock::Now() const {
  absl::MutexLock lock(&mutex_);
  return now_;
}

void SimulatedClock::Advance(absl::Duration by) {
  absl::MutexLock lock(&mutex_);
  now_ += by;
}

void SimulatedClock::Set(absl::Time to) {
  absl::MutexLock lock(&mutex_);
  now_ = to;
}

}  // namespace telederm
