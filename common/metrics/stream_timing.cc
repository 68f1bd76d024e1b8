#include "common/metrics/stream_timing.h"

#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/time/clock.h"
#include "common/logging/log.h"

namespace telederm::metrics {

StreamHandler TimedStreamHandler(prometheus::Registry& registry, const std::string& histogram_name,
                                 const std::string& help, StreamHandler handler) {
  auto& family = prometheus::BuildHistogram().Name(histogram_name).Help(help).Register(registry);
  // Image analysis takes tens of milliseconds per image; a timeout is seconds.
  const prometheus::Histogram::BucketBoundaries buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                        1,     2.5,  5,     10,   30,  60};
  prometheus::Histogram* ok = &family.Add({{"outcome", "ok"}}, buckets);
  prometheus::Histogram* error = &family.Add({{"outcome", "error"}}, buckets);
  return [ok, error, handler = std::move(handler)](const redis::StreamEntry& entry) {
    ScopedLogCaseId case_id(entry.Field("case_id").value_or(""));
    const absl::Time start = absl::Now();
    absl::Status status = handler(entry);
    (status.ok() ? ok : error)->Observe(absl::ToDoubleSeconds(absl::Now() - start));
    return status;
  };
}

}  // namespace telederm::metrics
