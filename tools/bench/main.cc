// telederm-bench: the load generator of docs/PERFORMANCE.md. Starts its own
// redis-server and the three services on free loopback ports, measures every
// scenario beside its ceiling, prints a table and, as the last line, JSON.
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "tools/bench/bare_services.h"
#include "tools/bench/bench.h"

ABSL_FLAG(bool, all, false, "run every scenario at full size (the default when --smoke is not given)");
ABSL_FLAG(bool, smoke, false, "a tiny run of every scenario (seconds): checks the bench, measures nothing");
ABSL_FLAG(std::string, serve_bare, "", "internal: serve the bare ceiling services on this address");
ABSL_FLAG(std::string, json_out, "", "also write the JSON line to this file");
ABSL_FLAG(std::string, sample_image, TELEDERM_SOURCE_DIR "/tests/data/cases/ISIC_0025248.jpg",
          "the dermoscopy JPEG that submitted cases carry and upload images are made from");
ABSL_FLAG(int32_t, concurrency, 0, "SubmitCase and pipeline callers (0: default)");
ABSL_FLAG(int64_t, submit_calls, 0, "SubmitCase calls (0: default)");
ABSL_FLAG(int64_t, pipeline_cases, 0, "cases through the pipeline at full load (0: default)");
ABSL_FLAG(std::vector<std::string>, scale, {}, "queue sizes for ClaimNext/ListQueue (default 1000,10000,100000,1000000)");
ABSL_FLAG(int32_t, specialists, 0, "concurrent specialists for ClaimNext and ListQueue (0: default)");
ABSL_FLAG(std::vector<std::string>, scenarios, {},
          "scenario groups to run: submit, upload, pipeline, scale (default: all)");
ABSL_FLAG(int32_t, uploads_per_size, 0, "uploads of each image size (0: default)");
ABSL_FLAG(int32_t, stream_batch, 0, "triage's and referral's --stream_batch (0: the services' default)");
ABSL_FLAG(bool, redis_over_unix_socket, false,
          "the services (and redis-benchmark) reach Redis over its Unix socket instead of TCP loopback");

ABSL_FLAG(bool, redis_replica, false,
          "Redis with one replica under three sentinels, and intake waiting for the replica before it answers "
          "SubmitCase (--redis_wait_replicas=1): the cost of docs/DELIVERY.md's durability across failover");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("telederm-bench [--all | --smoke]: throughput and latency beside their ceilings");
  absl::ParseCommandLine(argc, argv);
  if (const std::string listen = absl::GetFlag(FLAGS_serve_bare); !listen.empty()) {
    return telederm::bench::ServeBare(listen);
  }
  telederm::bench::BenchOptions options;
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) {
    std::cerr << "telederm-bench: cannot find its own binary\n";
    return 1;
  }
  options.self_path.assign(self, n);
  options.sample_image = absl::GetFlag(FLAGS_sample_image);
  if (absl::GetFlag(FLAGS_smoke)) options = telederm::bench::SmokeOptions(options);
  if (int v = absl::GetFlag(FLAGS_concurrency); v > 0) options.concurrency = v;
  if (int64_t v = absl::GetFlag(FLAGS_submit_calls); v > 0) options.submit_calls = v;
  if (int64_t v = absl::GetFlag(FLAGS_pipeline_cases); v > 0) options.pipeline_cases = v;
  if (int v = absl::GetFlag(FLAGS_specialists); v > 0) options.specialists = v;
  if (int v = absl::GetFlag(FLAGS_uploads_per_size); v > 0) options.uploads_per_size = v;
  if (int v = absl::GetFlag(FLAGS_stream_batch); v > 0) options.stream_batch = v;
  options.redis_over_unix_socket = absl::GetFlag(FLAGS_redis_over_unix_socket);
  options.redis_replica = absl::GetFlag(FLAGS_redis_replica);
  if (options.redis_replica && options.redis_over_unix_socket) {
    std::cerr << "telederm-bench: --redis_replica and --redis_over_unix_socket cannot be combined (sentinels "
                 "name TCP addresses)\n";
    return 2;
  }
  if (std::vector<std::string> scale = absl::GetFlag(FLAGS_scale); !scale.empty()) {
    options.scale.clear();
    for (const std::string& s : scale) options.scale.push_back(std::stoll(s));
  }
  if (std::vector<std::string> groups = absl::GetFlag(FLAGS_scenarios); !groups.empty()) {
    for (const std::string& g : groups) {
      const std::vector<std::string>& known = telederm::bench::ScenarioNames();
      if (std::find(known.begin(), known.end(), g) == known.end()) {
        std::cerr << "telederm-bench: --scenarios: unknown group '" << g
                  << "' (known: submit, upload, pipeline, scale)\n";
        return 2;
      }
    }
    options.scenarios = groups;
  }
  absl::StatusOr<telederm::bench::Report> report = telederm::bench::RunBench(options);
  if (!report.ok()) {
    std::cerr << "telederm-bench: " << report.status() << "\n";
    return 1;
  }
  const std::string json = telederm::bench::FormatJson(*report);
  std::cout << telederm::bench::FormatTables(*report) << "\n" << json << std::endl;
  if (const std::string path = absl::GetFlag(FLAGS_json_out); !path.empty()) std::ofstream(path) << json << "\n";
  return 0;
}
