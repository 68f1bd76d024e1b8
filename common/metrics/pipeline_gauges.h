#ifndef TELEDERM_COMMON_METRICS_PIPELINE_GAUGES_H_
#define TELEDERM_COMMON_METRICS_PIPELINE_GAUGES_H_

#include <memory>
#include <string>
#include <vector>

#include <prometheus/collectable.h>

#include "common/clock/clock.h"
#include "common/redis/client.h"

namespace telederm::metrics {

// What PipelineGauges reads from Redis.
struct PipelineGaugeOptions {
  // Streams whose length, consumer-group lag and pending entries, and dead
  // letters (common/stream_worker) are reported.
  std::vector<std::string> streams;
  // Report the specialist queues of every pool (keys::kPools): depth per
  // tier, oldest due time, overdue count, active claims.
  bool queues = false;
  // How many of a pool's earliest-due cases are counted by tier at each
  // scrape (one HGET each); the rest are reported as tier="not_counted".
  int tier_count_limit = 2000;
};

// Gauges read from Redis at scrape time, so every process of a service
// reports the same values: aggregate them with max(), not sum().
//   telederm_stream_length{stream}
//   telederm_stream_lag{stream, group}          entries the group has not been given yet
//   telederm_stream_pending{stream, group}      given to a consumer, not yet acked
//   telederm_dead_letters{stream}               entries that failed too often
//   telederm_queue_depth{pool, tier}            queued cases, tier = urgent|soon|routine|unspecified, of the
//                                               tier_count_limit earliest-due; the rest tier="not_counted"
//   telederm_queue_oldest_due_timestamp_seconds{pool}  (absent for an empty queue)
//   telederm_queue_overdue{pool}                queued cases past their due time
//   telederm_claims_active{pool}                cases held by a specialist
//   telederm_redis_scrape_ok                    1, or 0 when Redis did not answer (the rest is then absent)
// Thread-safe; each Collect() makes a few Redis round trips (one Lua script per pool),
// each bounded in the work it makes Redis do whatever the queue's length.
class PipelineGauges final : public prometheus::Collectable {
 public:
  PipelineGauges(std::shared_ptr<redis::Client> redis, ClockPtr clock, PipelineGaugeOptions options);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::shared_ptr<redis::Client> redis_;
  ClockPtr clock_;
  PipelineGaugeOptions options_;
};

}  // namespace telederm::metrics

#endif  // TELEDERM_COMMON_METRICS_PIPELINE_GAUGES_H_
