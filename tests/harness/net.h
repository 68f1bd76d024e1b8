#ifndef TELEDERM_TESTS_HARNESS_NET_H_
#define TELEDERM_TESTS_HARNESS_NET_H_

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace telederm::testing {

// A TCP port that was free on 127.0.0.1 a moment ago (bind port 0, read it,
// close). Another process may take it before the caller binds it, so callers
// that start servers should retry with a new port when binding fails.
// Returns -1 if no socket could be bound.
int FreeLoopbackPort();

// Polls 127.0.0.1:`port` until a TCP connect succeeds; DEADLINE_EXCEEDED if
// nothing listens within `timeout`.
absl::Status WaitForPort(int port, absl::Duration timeout);

}  // namespace telederm::testing

#endif  // TELEDERM_TESTS_HARNESS_NET_H_
