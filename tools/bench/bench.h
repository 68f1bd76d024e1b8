#ifndef TELEDERM_TOOLS_BENCH_BENCH_H_
#define TELEDERM_TOOLS_BENCH_BENCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/bench/report.h"

namespace telederm::bench {

// What one run measures and how hard. Every loop is bounded by a count and
// by `time_limit`.
struct BenchOptions {
  std::string self_path;     // this binary, started again as the bare server
  std::string sample_image;  // a dermoscopy JPEG: submitted cases' image and the base of upload images
  int channels = 4;          // client connections per service
  int concurrency = 32;      // SubmitCase callers, for the service and its ceiling alike
  int64_t submit_calls = 6000;
  int64_t pipeline_cases = 6000;
  int64_t monitored_cases = 200;  // cases whose Redis commands are counted with MONITOR
  absl::Duration paced_duration = absl::Seconds(6);
  std::vector<int> upload_mib = {2, 4, 8};
  int uploads_per_size = 6;
  int upload_concurrency = 2;
  std::vector<int64_t> scale = {1000, 10000, 100000, 1000000};
  int specialists = 8;
  // ClaimNext calls, and ListQueue calls, measured at each scale. A p99 of
  // 1,000 calls is their 10th slowest; of 400 it was the 4th, which one
  // scheduling hiccup on 2 shared cores decided.
  int64_t calls_per_level = 1000;
  // Calls of each kind made, and not measured, before each level's
  // measurement: connections, scripts and token caches warm up in them.
  int64_t warmup_calls_per_level = 64;
  int64_t redis_benchmark_requests = 50000;
  int stream_batch = 0;  // triage's and referral's --stream_batch; 0: their default
  // The services and redis-benchmark reach Redis over TCP loopback, as in the
  // deployments we ship (compose, Kubernetes: Redis in its own container or
  // pod); true: over its Unix socket, as a single-host install can
  // (docs/REDIS.md, "Transport").
  bool redis_over_unix_socket = false;
  // Redis as production runs it under Sentinel (docs/DELIVERY.md, "Failover"):
  // a master with one replica and three sentinels, the services on its
  // sentinel:// address, and intake answering SubmitCase only once the replica
  // holds the case (--redis_wait_replicas=1). Compared with a run without it,
  // this is what that durability costs.
  bool redis_replica = false;
  absl::Duration time_limit = absl::Seconds(90);
  // Which scenario groups run: "submit", "upload", "pipeline", "scale".
  std::vector<std::string> scenarios = {"submit", "upload", "pipeline", "scale"};
};

// The scenario groups BenchOptions::scenarios may name.
inline const std::vector<std::string>& ScenarioNames() {
  static const std::vector<std::string> names = {"submit", "upload", "pipeline", "scale"};
  return names;
}

// Small enough for a test: the whole run in well under 30 s.
BenchOptions SmokeOptions(BenchOptions base);

// Starts a real Stack (redis-server and the three services, triage with
// --skip_image_analysis) and the bare services, runs every scenario, and
// returns the figures with their ceilings and the targets.
absl::StatusOr<Report> RunBench(const BenchOptions& options);

}  // namespace telederm::bench

#endif  // TELEDERM_TOOLS_BENCH_BENCH_H_
