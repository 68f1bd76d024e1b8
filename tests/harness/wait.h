#ifndef TELEDERM_TESTS_HARNESS_WAIT_H_
#define TELEDERM_TESTS_HARNESS_WAIT_H_

#include <functional>

#include "absl/time/time.h"

namespace telederm::testing {

// Polls `done` every 10 ms until it returns true or `timeout` passes; then
// asks once more. The timeout is a bound on a wait for something another
// process or thread does, never a claim about how fast it is.
bool WaitUntil(const std::function<bool()>& done, absl::Duration timeout);

}  // namespace telederm::testing

#endif  // TELEDERM_TESTS_HARNESS_WAIT_H_
