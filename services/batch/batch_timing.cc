#include "services/batch/batch_timing.h"

#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/time/clock.h"

namespace telederm {

StreamWorker::BatchHandler TimedBatchHandler(prometheus::Registry& registry, const std::string& histogram_name,
                                             const std::string& help, StreamWorker::BatchHandler handler) {
  auto& family = prometheus::BuildHistogram().Name(histogram_name).Help(help).Register(registry);
  // The buckets of metrics::TimedStreamHandler, so dashboards read both alike.
  const prometheus::Histogram::BucketBoundaries buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                        1,     2.5,  5,     10,   30,  60};
  prometheus::Histogram* ok = &family.Add({{"outcome", "ok"}}, buckets);
  prometheus::Histogram* error = &family.Add({{"outcome", "error"}}, buckets);
  return [ok, error, handler = std::move(handler)](const std::vector<redis::StreamEntry>& entries) {
    const absl::Time start = absl::Now();
    std::vector<absl::Status> handled = handler(entries);
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    for (const absl::Status& status : handled) (status.ok() ? ok : error)->Observe(seconds);
    return handled;
  };
}

}  // namespace telederm
