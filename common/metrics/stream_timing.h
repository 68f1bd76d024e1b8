#ifndef TELEDERM_COMMON_METRICS_STREAM_TIMING_H_
#define TELEDERM_COMMON_METRICS_STREAM_TIMING_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/redis/stream.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace telederm::metrics {

using StreamHandler = std::function<absl::Status(const redis::StreamEntry&)>;

// Wraps a stream handler so that every call
//   * is timed into the histogram `histogram_name`{outcome="ok"|"error"}
//     (e.g. telederm_triage_duration_seconds for triage's handler), and
//   * logs with the entry's case_id field as the line's case id
//     (common/logging ScopedLogCaseId).
// The histogram is registered in `registry`, which must outlive the handler.
StreamHandler TimedStreamHandler(prometheus::Registry& registry, const std::string& histogram_name,
                                 const std::string& help, StreamHandler handler);

// A handler of whole batches (StreamWorker::BatchHandler): one status per entry.
using BatchStreamHandler = std::function<std::vector<absl::Status>(const std::vector<redis::StreamEntry>&)>;

// As TimedStreamHandler, for a handler of whole batches: the histogram gets
// one observation per entry, its outcome, and the time the batch took (what
// each of its entries waited for). Same buckets.
BatchStreamHandler TimedBatchHandler(prometheus::Registry& registry, const std::string& histogram_name,
                                     const std::string& help, BatchStreamHandler handler);

}  // namespace telederm::metrics

#endif  // TELEDERM_COMMON_METRICS_STREAM_TIMING_H_
