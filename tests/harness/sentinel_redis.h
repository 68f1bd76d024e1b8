#ifndef TELEDERM_TESTS_HARNESS_SENTINEL_REDIS_H_
#define TELEDERM_TESTS_HARNESS_SENTINEL_REDIS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/harness/child_process.h"
#include "tests/harness/redis_server.h"

namespace telederm::testing {

// Options for SentinelRedis::Start.
struct SentinelRedisOptions {
  int replicas = 1;
  int sentinels = 3;  // quorum: a majority of them
  std::string appendfsync = "always";
  std::vector<std::string> redis_args;  // added to every server's command line
  // Fast failover for tests; production values are in deploy/redis/sentinel.conf.
  absl::Duration down_after = absl::Milliseconds(500);
  absl::Duration failover_timeout = absl::Seconds(2);
};

// Replicated Redis under Redis Sentinel on loopback: a master, its replicas
// (RedisServer children, each with its own port and directory) and
// `sentinels` sentinel processes (`redis-server <conf> --sentinel`) that
// monitor the master as kMasterName. Services reach it through address().
//
// Ownership: the object owns every process and directory; the destructor
// stops them. Thread-compatible: drive it from the test's main thread (the
// children die with the thread that spawned them).
class SentinelRedis {
 public:
  static constexpr char kMasterName[] = "telederm";

  // Starts the servers, waits until every replica is in sync, then starts
  // the sentinels and waits until each knows the others and every replica.
  static absl::StatusOr<std::unique_ptr<SentinelRedis>> Start(SentinelRedisOptions options = {});

  SentinelRedis(const SentinelRedis&) = delete;
  SentinelRedis& operator=(const SentinelRedis&) = delete;
  ~SentinelRedis();

  // "sentinel://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3/telederm", for --redis.
  std::string address() const;
  // The server that is master as far as this object knows (after Start, and
  // after each AwaitFailover: the one the sentinels then agree on, which
  // under load may be the result of a second failover).
  RedisServer& master() { return *servers_[master_]; }
  RedisServer& server(int index) { return *servers_[index]; }
  int servers() const { return static_cast<int>(servers_.size()); }
  int master_index() const { return master_; }

  // SIGKILL of the master: its machine is gone.
  absl::Status KillMaster();
  // After KillMaster: waits up to `timeout` until a majority of the sentinels
  // name another server as master and that server answers ROLE "master"; then
  // starts the killed server again as a replica of the new master and waits
  // until the sentinels see every replica in sync, so that the next
  // KillMaster can fail over again. Returns when the promotion was seen,
  // measured from the kill.
  absl::StatusOr<absl::Duration> AwaitFailover(absl::Duration timeout);

  // The end of every sentinel's log, for failure messages.
  std::string SentinelLogs() const;

 private:
  struct Sentinel {
    int port = 0;
    std::string dir;
    std::unique_ptr<ChildProcess> process;
  };
  explicit SentinelRedis(SentinelRedisOptions options) : options_(std::move(options)) {}
  absl::Status StartSentinel(Sentinel& sentinel);
  // Every sentinel names the same master, knows the others and every
  // replica, each in sync; master_ becomes that master.
  absl::Status AwaitSentinelsSeeEveryone(absl::Duration timeout);

  SentinelRedisOptions options_;
  std::vector<std::unique_ptr<RedisServer>> servers_;
  int master_ = 0;
  std::vector<Sentinel> sentinels_;
  absl::Time killed_ = absl::InfinitePast();
};

}  // namespace telederm::testing

#endif  // TELEDERM_TESTS_HARNESS_SENTINEL_REDIS_H_
