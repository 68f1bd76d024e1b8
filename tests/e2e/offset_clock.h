#ifndef TELEDERM_SERVICES_REFERRAL_OFFSET_CLOCK_H_
#define TELEDERM_SERVICES_REFERRAL_OFFSET_CLOCK_H_

#include <string>

#include "common/clock/clock.h"

namespace telederm::referral {

// For tests that run the real binary (--test_clock_file): the wall clock plus
// an offset in milliseconds read from a file, so that a test moves several
// processes' time forward together (past a lease, past a due time) instead of
// sleeping. A missing or unreadable file means no offset. Never used in
// production set-ups. Thread-safe.
ClockPtr OffsetClockFromFile(std::string path);

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_OFFSET_CLOCK_H_
