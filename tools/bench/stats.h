#ifndef TELEDERM_TOOLS_BENCH_STATS_H_
#define TELEDERM_TOOLS_BENCH_STATS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace telederm::bench {

// Latency percentiles of one run, in microseconds, and its throughput.
struct LatencySummary {
  int64_t count = 0;
  int64_t errors = 0;
  double seconds = 0;      // wall time of the run
  double per_second = 0;   // count / seconds
  double p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
};

// The nearest-rank percentile (q in [0, 1]) of `sorted` (ascending); 0 when empty.
// The q-th percentile is the smallest value with at least q of the samples at
// or below it: Percentile({1..100}, 0.99) == 99.
double Percentile(const std::vector<double>& sorted, double q);

// Sorts `samples_us` and summarises them; throughput over `wall`.
LatencySummary Summarize(std::vector<double> samples_us, int64_t errors, absl::Duration wall);

}  // namespace telederm::bench

#endif  // TELEDERM_TOOLS_BENCH_STATS_H_
