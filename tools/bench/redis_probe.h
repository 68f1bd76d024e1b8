#ifndef TELEDERM_TOOLS_BENCH_REDIS_PROBE_H_
#define TELEDERM_TOOLS_BENCH_REDIS_PROBE_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/redis/client.h"
#include "tools/bench/cpu.h"

namespace telederm::bench {

// Calls per command name (lower case), from INFO commandstats: commands run
// inside scripts count too.
absl::StatusOr<std::map<std::string, int64_t>> CommandCalls(redis::Client& redis);
// used_memory from INFO memory, in bytes.
absl::StatusOr<int64_t> UsedMemory(redis::Client& redis);
// Redis's own CPU time (INFO cpu: used_cpu_user, used_cpu_sys).
absl::StatusOr<CpuSeconds> RedisCpu(redis::Client& redis);
// The "name:value" lines of INFO <section>.
absl::StatusOr<std::map<std::string, std::string>> InfoFields(redis::Client& redis, const std::string& section);
// Parses "name:value" lines of INFO text (exposed for the tests).
std::map<std::string, std::string> ParseInfoFields(const std::string& info);
// Rewrites the AOF (BGREWRITEAOF, unless a rewrite already runs) and waits,
// at most `limit`, until no rewrite runs or is scheduled: a measurement that
// follows does not share the machine with a fork and its copy-on-write.
// Returns how long the wait took. DEADLINE_EXCEEDED after `limit`.
absl::StatusOr<absl::Duration> SettleAof(redis::Client& redis, absl::Duration limit);
// LATENCY LATEST as "event max ms (at unix s); ...", or "none".
absl::StatusOr<std::string> LatencyLatest(redis::Client& redis);
// Parses INFO commandstats text (exposed for the tests).
std::map<std::string, int64_t> ParseCommandStats(const std::string& info);
// b - a, per command, leaving out commands that did not change.
std::map<std::string, int64_t> Difference(const std::map<std::string, int64_t>& a,
                                          const std::map<std::string, int64_t>& b);

// Counts the commands clients send to Redis (MONITOR), leaving out those
// scripts run: the round trips, if every pipelined command counted as one.
// MONITOR slows Redis down: use it only around a run that is not timed.
class CommandMonitor {
 public:
  static absl::StatusOr<std::unique_ptr<CommandMonitor>> Start(const redis::Endpoint& endpoint);
  ~CommandMonitor();
  // Stops reading and returns the counts per command (lower case).
  std::map<std::string, int64_t> Stop();

 private:
  CommandMonitor() = default;
  void Read();

  void* context_ = nullptr;  // redisContext*
  std::atomic<bool> stop_{false};
  std::thread reader_;
  absl::Mutex mu_;
  std::map<std::string, int64_t> counts_ ABSL_GUARDED_BY(mu_);
};

// The throughput redis-benchmark measures for one command on the same Redis,
// over the transport the services use (TCP, or -s for a Unix socket), with 50
// connections and no pipelining (as the services send them), and the command
// line that measured it.
struct RedisCeiling {
  std::string command;  // as counted per case (lower case)
  std::string benchmark;  // what redis-benchmark ran for it
  double per_second = 0;
};
// The redis-benchmark arguments that cost `command`.
std::string BenchmarkFor(const std::string& command);
// How redis-benchmark (or redis-cli) reaches `endpoint`: "-h host -p port" or "-s path".
std::string ConnectionArguments(const redis::Endpoint& endpoint);
absl::StatusOr<RedisCeiling> BenchmarkCommand(const redis::Endpoint& endpoint, const std::string& command,
                                              int64_t requests);

// Writes `count` queued cases straight into Redis in the layout referral
// leaves them in (keys.h: the case record as CaseStore stores it, version 1;
// the pool's queue and fairness entries; the clinic's index), pipelined in
// batches. Due times lie a week ahead, one millisecond apart, after
// `first_due`. Returns the time it took.
absl::StatusOr<absl::Duration> FillQueue(redis::Client& redis, const std::string& pool, int64_t count,
                                         absl::Time first_due, int clinics);

}  // namespace telederm::bench

#endif  // TELEDERM_TOOLS_BENCH_REDIS_PROBE_H_
