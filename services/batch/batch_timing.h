#ifndef TELEDERM_SERVICES_BATCH_BATCH_TIMING_H_
#define TELEDERM_SERVICES_BATCH_BATCH_TIMING_H_

#include <string>

#include "common/stream_worker/stream_worker.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace telederm {

// As metrics::TimedStreamHandler (common/metrics/stream_timing.h), for a
// handler of whole batches: the histogram `histogram_name`{outcome} gets one
// observation per entry, its outcome, and the time the batch took (what each
// of its entries waited for). Same buckets. `registry` must outlive the handler.
StreamWorker::BatchHandler TimedBatchHandler(prometheus::Registry& registry, const std::string& histogram_name,
                                             const std::string& help, StreamWorker::BatchHandler handler);

}  // namespace telederm

#endif  // TELEDERM_SERVICES_BATCH_BATCH_TIMING_H_
