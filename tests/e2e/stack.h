#ifndef TELEDERM_TESTS_E2E_STACK_H_
#define TELEDERM_TESTS_E2E_STACK_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/harness/child_process.h"
#include "tests/harness/redis_server.h"
#include "tests/harness/sentinel_redis.h"

namespace telederm::testing {

enum class Service { kIntake, kTriage, kReferral };

struct StackOptions {
  int triage_processes = 1;
  int referral_processes = 1;
  std::vector<std::string> triage_flags;    // added to every triage process
  std::vector<std::string> referral_flags;  // added to every referral process
  // When set, every referral process runs on the wall clock plus the
  // milliseconds in this file (tests/e2e/offset_clock.h), through the test
  // build telederm-referral-offset-clock: write the file to move time forward.
  std::string referral_clock_file;
  // Security: every service verifies tokens made with kTestTokenKeys
  // (tests/e2e/credentials.h). Without `tls_dir` the services run with
  // --plaintext_for_development (loopback only); with it, TLS with the
  // certificates deploy/dev-certs.sh made there, and mutual TLS when asked.
  std::string tls_dir;
  bool require_client_cert = false;
  // The per-clinic rate limit and the per-connection limit of calls without a
  // valid token; generous by default so that only the tests about them meet them.
  std::vector<std::string> security_flags = {"--clinic_rate=10000", "--clinic_burst=100000", "--anonymous_rate=10000",
                                             "--anonymous_burst=100000"};
  std::vector<std::string> intake_flags;    // added to the intake process
  std::string redis_appendfsync = "everysec";  // "always" closes the AOF's loss window
  std::vector<std::string> redis_args;  // added to redis-server's command line (e.g. --aclfile)
  // The services reach Redis over its Unix domain socket (--redis=unix:...),
  // as a co-located deployment does, instead of TCP loopback; Redis then has
  // no TCP listener (redis().port() is 0: use redis_address()).
  bool redis_over_unix_socket = false;
  // Set: Redis is a master with replicas under Redis Sentinel (its
  // appendfsync and redis_args from above), and the services are given its
  // sentinel:// address.
  std::optional<SentinelRedisOptions> sentinel;
};

// The whole telederm stack as real processes: a redis-server and the three
// service binaries, each on a free loopback port, sharing one data directory.
// Destroying it stops everything and removes the directory.
class Stack {
 public:
  static absl::StatusOr<std::unique_ptr<Stack>> Start(StackOptions options = {});
  ~Stack();

  std::string address(Service service, int index = 0) const;  // "127.0.0.1:port"
  // The Redis server, or under Sentinel the master as last seen.
  RedisServer& redis() { return sentinel_ != nullptr ? sentinel_->master() : *redis_; }
  // Null unless StackOptions::sentinel was set.
  SentinelRedis* sentinel_redis() { return sentinel_.get(); }
  // The --redis address the services were given (TCP or the Unix socket).
  const std::string& redis_address() const { return redis_address_; }
  const std::string& data_dir() const { return data_dir_; }

  // kill -9: the process gets no chance to finish anything.
  absl::Status Kill9(Service service, int index = 0);
  // Starts a killed process again with the same arguments and port.
  absl::Status Restart(Service service, int index = 0);
  // The end of a process's log, for failure messages.
  std::string LogTail(Service service, int index = 0) const;
  // False once the process has exited (killed, crashed, or stopped).
  bool Running(Service service, int index = 0);
  // SIGTERM, then waits up to `timeout` for the exit status (DEADLINE_EXCEEDED
  // if it is still running then).
  absl::StatusOr<int> Terminate(Service service, absl::Duration timeout, int index = 0);
  int processes(Service service) const;

  // Redis crashes (kill -9; the AOF keeps what was written) and comes back on
  // the same port with its data.
  absl::Status KillRedis() { return redis().Kill(); }
  absl::Status RestartRedis() { return redis().Restart(); }

 private:
  struct Process {
    std::vector<std::string> argv;
    int port = 0;
    std::string log;
    std::unique_ptr<ChildProcess> child;
  };
  Stack() = default;
  absl::Status Launch(Process& process);
  Process& ProcessOf(Service service, int index);
  const Process& ProcessOf(Service service, int index) const;

  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<SentinelRedis> sentinel_;
  std::string redis_address_;
  std::string data_dir_;
  Process intake_;
  std::vector<Process> triage_;
  std::vector<Process> referral_;
};

}  // namespace telederm::testing

#endif  // TELEDERM_TESTS_E2E_STACK_H_
