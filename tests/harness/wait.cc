#include "tests/harness/wait.h"

#include "absl/time/clock.h"

namespace telederm::testing {

bool WaitUntil(const std::function<bool()>& done, absl::Duration timeout) {
  for (const absl::Time give_up = absl::Now() + timeout; absl::Now() < give_up;
       absl::SleepFor(absl::Milliseconds(10))) {
    if (done()) return true;
  }
  return done();
}

}  // namespace telederm::testing
