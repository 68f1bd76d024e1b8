#ifndef TELEDERM_COMMON_CASE_STATE_STATE_MACHINE_H_
#define TELEDERM_COMMON_CASE_STATE_STATE_MACHINE_H_

#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "telederm/v1/case.pb.h"

namespace telederm {

// The one state machine every change of a case's status goes through
// (ARCHITECTURE.md invariant 6):
//
//   received -> screening -> queued -> claimed -> reported -> closed
//                    ^          ^  |     |  |
//                    |          |  +-----+  +--> needs_info --+
//                    |          +-----------------------------+ (answer)
//                    +-------------------------------------------+ (answer with new images: re-screen)
//
// claimed -> queued is a release or a lapsed lease.
bool IsAllowedTransition(v1::CaseStatus from, v1::CaseStatus to);

// Moves `c` to `to`, appending a StatusChange to its history. An illegal
// transition is FAILED_PRECONDITION naming both states and leaves `c` untouched.
absl::Status TransitionCase(v1::Case& c, v1::CaseStatus to, absl::Time at, absl::string_view actor,
                            absl::string_view note = "");

// "received", "needs_info", ...: the words the docs and messages use.
absl::string_view StatusName(v1::CaseStatus status);

}  // namespace telederm

#endif  // TELEDERM_COMMON_CASE_STATE_STATE_MACHINE_H_
