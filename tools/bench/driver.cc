#include "tools/bench/driver.h"

#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace telederm::bench {
namespace {

struct Run {
  StartCall start;  // a copy: callbacks may outlive the caller's
  absl::Mutex mu;
  std::vector<double> samples_us ABSL_GUARDED_BY(mu);
  int64_t errors ABSL_GUARDED_BY(mu) = 0;
  int64_t started ABSL_GUARDED_BY(mu) = 0;
  int in_flight ABSL_GUARDED_BY(mu) = 0;
  int callers ABSL_GUARDED_BY(mu) = 0;  // closed loop: callers still going
  absl::Time last_done ABSL_GUARDED_BY(mu);

  void Record(absl::Time from, bool ok) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    const absl::Time now = absl::Now();
    if (ok) {
      samples_us.push_back(absl::ToDoubleMicroseconds(now - from));
    } else {
      ++errors;
    }
    last_done = now;
  }
};

// One closed-loop caller's next call, or its end.
void Next(const std::shared_ptr<Run>& run, int64_t total, absl::Time stop_at) {
  int64_t index;
  {
    absl::MutexLock lock(&run->mu);
    if (run->started >= total || absl::Now() >= stop_at) {
      --run->callers;
      return;
    }
    index = run->started++;
  }
  const absl::Time t0 = absl::Now();
  run->start(index, [run, total, stop_at, t0](bool ok) {
    {
      absl::MutexLock lock(&run->mu);
      run->Record(t0, ok);
    }
    Next(run, total, stop_at);
  });
}

}  // namespace

LatencySummary RunClosedLoop(int concurrency, int64_t total, absl::Duration time_limit, const StartCall& start) {
  auto run = std::make_shared<Run>();
  run->start = start;
  const absl::Time t0 = absl::Now();
  const absl::Time stop_at = t0 + time_limit;
  {
    absl::MutexLock lock(&run->mu);
    run->callers = concurrency;
    run->last_done = t0;
  }
  for (int i = 0; i < concurrency; ++i) Next(run, total, stop_at);
  absl::MutexLock lock(&run->mu);
  auto finished = [&run]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(run->mu) { return run->callers == 0; };
  run->mu.AwaitWithDeadline(absl::Condition(&finished), stop_at + time_limit);
  return Summarize(run->samples_us, run->errors + (run->started - static_cast<int64_t>(run->samples_us.size()) - run->errors),
                   run->last_done - t0);
}

LatencySummary RunPaced(double per_second, absl::Duration duration, int max_in_flight, const StartCall& start) {
  auto run = std::make_shared<Run>();
  const absl::Time t0 = absl::Now();
  const absl::Duration interval = absl::Seconds(1) / per_second;
  const int64_t total = static_cast<int64_t>(absl::ToDoubleSeconds(duration) * per_second);
  {
    absl::MutexLock lock(&run->mu);
    run->last_done = t0;
  }
  for (int64_t i = 0; i < total; ++i) {
    const absl::Time scheduled = t0 + interval * i;
    const absl::Duration wait = scheduled - absl::Now();
    if (wait > absl::ZeroDuration()) absl::SleepFor(wait);
    {
      absl::MutexLock lock(&run->mu);
      if (run->in_flight >= max_in_flight) {
        ++run->errors;
        continue;
      }
      ++run->in_flight;
      ++run->started;
    }
    start(i, [run, scheduled](bool ok) {
      absl::MutexLock lock(&run->mu);
      run->Record(scheduled, ok);
      --run->in_flight;
    });
  }
  absl::MutexLock lock(&run->mu);
  auto drained = [&run]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(run->mu) { return run->in_flight == 0; };
  run->mu.AwaitWithDeadline(absl::Condition(&drained), absl::Now() + duration + absl::Seconds(10));
  return Summarize(run->samples_us, run->errors + run->in_flight, run->last_done - t0);
}

}  // namespace telederm::bench
