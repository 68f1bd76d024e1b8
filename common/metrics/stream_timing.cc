#include "common/metrics/stream_timing.h"

#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "absl/time/clock.h"
#include "common/logging/log.h"

namespace telederm::metrics {
namespace {

// The histogram of a stream handler, by outcome.
struct OutcomeHistograms {
  prometheus::Histogram* ok;
  prometheus::Histogram* error;
};

OutcomeHistograms RegisterOutcomeHistograms(prometheus::Registry& registry, const std::string& histogram_name,
                                            const std::string& help) {
  auto& family = prometheus::BuildHistogram().Name(histogram_name).Help(help).Register(registry);
  // Image analysis takes tens of milliseconds per image; a timeout is seconds.
  const prometheus::Histogram::BucketBoundaries buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                        1,     2.5,  5,     10,   30,  60};
  return {&family.Add({{"outcome", "ok"}}, buckets), &family.Add({{"outcome", "error"}}, buckets)};
}

}  // namespace

StreamHandler TimedStreamHandler(prometheus::Registry& registry, const std::string& histogram_name,
                                 const std::string& help, StreamHandler handler) {
  const OutcomeHistograms histograms = RegisterOutcomeHistograms(registry, histogram_name, help);
  return [ok = histograms.ok, error = histograms.error, handler = std::move(handler)](const redis::StreamEntry& entry) {
    ScopedLogCaseId case_id(entry.Field("case_id").value_or(""));
    const absl::Time start = absl::Now();
    absl::Status status = handler(entry);
    (status.ok() ? ok : error)->Observe(absl::ToDoubleSeconds(absl::Now() - start));
    return status;
  };
}

BatchStreamHandler TimedBatchHandler(prometheus::Registry& registry, const std::string& histogram_name,
                                     const std::string& help, BatchStreamHandler handler) {
  const OutcomeHistograms histograms = RegisterOutcomeHistograms(registry, histogram_name, help);
  return [ok = histograms.ok, error = histograms.error, handler = std::move(handler)](const std::vector<redis::StreamEntry>& entries) {
    const absl::Time start = absl::Now();
    std::vector<absl::Status> handled = handler(entries);
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    for (const absl::Status& status : handled) (status.ok() ? ok : error)->Observe(seconds);
    return handled;
  };
}

}  // namespace telederm::metrics
