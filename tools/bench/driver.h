#ifndef TELEDERM_TOOLS_BENCH_DRIVER_H_
#define TELEDERM_TOOLS_BENCH_DRIVER_H_

#include <cstdint>
#include <functional>

#include "absl/time/time.h"
#include "tools/bench/stats.h"

namespace telederm::bench {

// Starts asynchronous call number `index`; the call must invoke `done` exactly
// once, from any thread, when it completes (ok: it succeeded). Must not block.
using Done = std::function<void(bool ok)>;
using StartCall = std::function<void(int64_t index, Done done)>;

// Closed loop: `concurrency` callers, each starting its next call when the
// last one completes, until `total` calls were started or `time_limit` has
// passed; then waits for the calls in flight (at most another `time_limit`).
// Latency: from start to done.
LatencySummary RunClosedLoop(int concurrency, int64_t total, absl::Duration time_limit, const StartCall& start);

// Open loop: starts calls at `per_second` for `duration` (never more than
// `max_in_flight` at once: a call that would exceed it is skipped and counted
// as an error). Latency is measured from the call's scheduled start, so a
// stalled server cannot hide its queueing (no coordinated omission).
LatencySummary RunPaced(double per_second, absl::Duration duration, int max_in_flight, const StartCall& start);

}  // namespace telederm::bench

#endif  // TELEDERM_TOOLS_BENCH_DRIVER_H_
