#include "tools/bench/stats.h"

#include <algorithm>
#include <cmath>

namespace telederm::bench {

double Percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // Rank ceil(q * n), 1-based; computed in integers per mille of a mille to
  // keep 0.999 * 1000 from becoming 999.0000001.
  const int64_t n = static_cast<int64_t>(sorted.size());
  const int64_t q_ppm = std::llround(q * 1'000'000);
  int64_t rank = (q_ppm * n + 999'999) / 1'000'000;
  rank = std::clamp<int64_t>(rank, 1, n);
  return sorted[rank - 1];
}

LatencySummary Summarize(std::vector<double> samples_us, int64_t errors, absl::Duration wall) {
  std::sort(samples_us.begin(), samples_us.end());
  LatencySummary s;
  s.count = static_cast<int64_t>(samples_us.size());
  s.errors = errors;
  s.seconds = absl::ToDoubleSeconds(wall);
  s.per_second = s.seconds > 0 ? s.count / s.seconds : 0;
  s.p50_us = Percentile(samples_us, 0.50);
  s.p90_us = Percentile(samples_us, 0.90);
  s.p99_us = Percentile(samples_us, 0.99);
  s.p999_us = Percentile(samples_us, 0.999);
  s.max_us = samples_us.empty() ? 0 : samples_us.back();
  return s;
}

}  // namespace telederm::bench
