#ifndef TELEDERM_TESTS_E2E_OFFSET_CLOCK_H_
#define TELEDERM_TESTS_E2E_OFFSET_CLOCK_H_

#include <string>

#include "common/clock/clock.h"

namespace telederm::testing {

// For tests that run the service processes: the wall clock plus an offset in
// milliseconds read from a file, so that a test moves several processes' time
// forward together (past a lease, past a due time) instead of sleeping. A
// missing or unreadable file means no offset. Only in test builds
// (telederm-referral-offset-clock); thread-safe.
ClockPtr OffsetClockFromFile(std::string path);

}  // namespace telederm::testing

#endif  // TELEDERM_TESTS_E2E_OFFSET_CLOCK_H_
