#ifndef TELEDERM_TESTS_HARNESS_REDIS_SERVER_H_
#define TELEDERM_TESTS_HARNESS_REDIS_SERVER_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/harness/child_process.h"

namespace telederm::testing {

// The settings of deploy/redis/redis.conf that decide how Redis encodes
// telederm's keys (and so its memory per case); every RedisServer starts with
// them. RedisServerTest checks that they match redis.conf.
inline constexpr std::pair<const char*, const char*> kProductionMemorySettings[] = {
    {"hash-max-listpack-value", "2048"},
};

// The redis-server binary: $TELEDERM_REDIS_SERVER, else /usr/bin/redis-server,
// else redis-server from PATH. NOT_FOUND saying how to provide one.
absl::StatusOr<std::string> FindRedisServer();

// Options for RedisServer::Start (at namespace scope so that `= {}` works as a
// default argument).
struct RedisServerOptions {
  bool append_only = true;  // --appendonly yes
  std::string appendfsync = "everysec";  // or "always": fsync before every reply
  // False: no TCP listener at all (--port 0), only the Unix socket; port() is
  // then 0 and clients must use unix_address().
  bool tcp = true;
  // Added to the command line, e.g. {"--aclfile", path}. A server that answers
  // PING with NOAUTH (no default user) counts as started.
  std::vector<std::string> extra_args;
};

// A real redis-server child process for one test: bound to 127.0.0.1 on a
// free port and listening on a Unix domain socket in its directory as well
// (`unixsocketperm 700`: only this user), its data (AOF, logs) in a temp
// directory of its own.
//
// The binary is $TELEDERM_REDIS_SERVER, else /usr/bin/redis-server, else
// redis-server from PATH.
//
// Ownership: the object owns the process and the directory; the destructor
// stops the server (SIGTERM, then SIGKILL after 5 s) and removes the
// directory. Thread-compatible: drive it from the test's main thread.
class RedisServer {
 public:
  using Options = RedisServerOptions;

  // Starts the server and waits until it answers PING (up to 10 s). On
  // failure the error carries the tail of the server's log.
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start(
      Options options = {});

  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;
  ~RedisServer();

  int port() const { return port_; }
  std::string host_port() const;  // "127.0.0.1:NNNN"
  // The Unix domain socket, and the --redis address that reaches it
  // ("unix:<dir>/redis.sock"; redis::Endpoint::Parse reads both forms).
  std::string unix_socket() const;
  std::string unix_address() const;
  const std::string& dir() const { return dir_; }
  bool running() const { return process_ != nullptr && process_->Running(); }

  // SIGKILL and wait: a crash. Data written so far stays in the AOF.
  absl::Status Kill();
  // SIGSTOP: the server keeps its connections but answers nothing until
  // Thaw (SIGCONT) — a Redis that hangs, for tests of calls stuck on it.
  absl::Status Freeze();
  absl::Status Thaw();
  // SIGTERM and wait: an orderly shutdown.
  absl::Status Stop();
  // Starts the server again on the same port and directory (the AOF is
  // reloaded) and waits until PING answers PONG. Stops it first if running.
  absl::Status Restart();
  // Restarts it as a replica of the server on 127.0.0.1:`master_port` (its
  // own data is then replaced by the master's): a dead master coming back
  // after a failover.
  absl::Status RestartAsReplicaOf(int master_port);

 private:
  RedisServer(Options options, std::string binary, std::string dir)
      : options_(options), binary_(std::move(binary)), dir_(std::move(dir)) {}
  absl::Status Launch();

  Options options_;
  std::string binary_;
  std::string dir_;
  int port_ = -1;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace telederm::testing

#endif  // TELEDERM_TESTS_HARNESS_REDIS_SERVER_H_
