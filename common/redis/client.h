#ifndef TELEDERM_COMMON_REDIS_CLIENT_H_
#define TELEDERM_COMMON_REDIS_CLIENT_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/redis/endpoint.h"
#include "common/redis/errors.h"
#include "common/redis/reply.h"
#include "common/redis/script.h"

namespace telederm::redis {

namespace internal {
class Connection;
}  // namespace internal

struct ClientOptions {
  Endpoint endpoint;
  // Idle connections kept for BlockingCommand. Command, Pipeline, Eval and
  // WaitForReplicas use one connection per calling thread instead (below).
  int pool_size = 4;
  absl::Duration connect_timeout = absl::Seconds(2);
  // Socket read/write timeout for one command or one pipeline.
  absl::Duration command_timeout = absl::Seconds(5);
  std::string password;  // AUTH on every new connection if non-empty.
  std::string username;  // ACL user for AUTH; optional.
  // After a failed connect, calls that need a new connection fail at once
  // (UNAVAILABLE, "reconnecting in ...") until the backoff has passed. It
  // starts at `reconnect_backoff_initial`, doubles with every failed connect
  // up to `reconnect_backoff_max`, and resets after a successful one.
  absl::Duration reconnect_backoff_initial = absl::Milliseconds(50);
  absl::Duration reconnect_backoff_max = absl::Seconds(2);
  // WaitForReplicas waits until this many replicas hold every write so far,
  // for up to replica_wait_timeout. 0: it returns at once.
  int wait_replicas = 0;
  absl::Duration replica_wait_timeout = absl::Seconds(1);
};

// The channel WaitForReplicas publishes to: a PUBLISH is replicated like a
// write. ACL users that wait need `+publish +wait &telederm:replication-barrier`.
inline constexpr char kReplicationBarrierChannel[] = "telederm:replication-barrier";

// A synchronous Redis client over a pool of hiredis connections.
//
// Thread safety: a Client is safe for concurrent use from many threads without
// external synchronization; share it through std::shared_ptr. Each thread
// that calls Command, Pipeline, Eval, EvalAll or WaitForReplicas gets a
// connection of its own, kept for its next call: no lock and no wait on that
// path, so a process holds one connection per calling thread. A thread's
// connection is closed when the thread ends or, once the Client is gone, when
// the thread next connects to a Client. BlockingCommand takes connections from
// a shared set instead.
//
// Reconnect: a connection that saw a transport error (I/O error, timeout,
// server closed it) is discarded; the next call opens a fresh one. Idle
// connections are checked for a closed socket before reuse, so after a Redis
// restart the first call already succeeds. A call that fails in flight is not
// retried, since the command may or may not have run. While Redis is down,
// connects are attempted with exponential backoff (see ClientOptions), so a
// busy service neither hammers Redis nor waits connect_timeout on every call.
//
// Sentinel (an endpoint "sentinel://..."): a new connection goes to the master
// the sentinels named last, checked with ROLE; when none is known, or that one
// refused the connection or is no master, the sentinels are asked again. A
// broken connection (dropped, timed out, or answered READONLY because its
// server became a replica) makes the client forget the master, so the next
// connection asks the sentinels. Nothing is ever sent to a known replica.
//
// Errors (never exceptions):
//   * cannot connect / I/O error / timeout -> UNAVAILABLE,
//     "redis at 127.0.0.1:6379 unavailable: <detail>";
//   * a Redis error reply -> per ErrorReplyToStatus (errors.h): INTERNAL with
//     Redis's message verbatim, UNAVAILABLE for LOADING/BUSY and friends;
//   * Eval additionally maps "<CANONICAL_CODE>: text" script errors (script.h).
// A missing key is not an error: it is a Reply of type kNil.
class Client {
 public:
  // Creates a client and checks that Redis answers PING now; UNAVAILABLE if
  // not.
  static absl::StatusOr<std::shared_ptr<Client>> Connect(
      const ClientOptions& options);
  // Creates a client without touching the network; Redis may come up later.
  static std::shared_ptr<Client> Create(const ClientOptions& options);

  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client();

  // One command, e.g. Command({"HGET", key, field}).
  absl::StatusOr<Reply> Command(const std::vector<std::string>& argv);

  // Sends all commands, then reads all replies: one round trip on one
  // connection (not a transaction; wrap in MULTI/EXEC for atomicity). The
  // outer status is a transport failure (UNAVAILABLE: then it is unknown which
  // commands ran); the inner ones are each command's own result.
  absl::StatusOr<std::vector<absl::StatusOr<Reply>>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);

  // EVALSHA; on NOSCRIPT (script cache flushed, Redis restarted) falls back to
  // EVAL, which also caches the script again.
  absl::StatusOr<Reply> Eval(const Script& script,
                             const std::vector<std::string>& keys,
                             const std::vector<std::string>& args);

  // One script run of EvalAll.
  struct ScriptCall {
    const Script* script;
    std::vector<std::string> keys;
    std::vector<std::string> args;
  };
  // Runs every call in one pipeline (EVALSHA); the calls that meet NOSCRIPT
  // are sent again with their source in one more. As Pipeline, the outer
  // status is a transport failure; each inner one is its call's result,
  // mapped as Eval maps it. Calls are independent: not a transaction.
  absl::StatusOr<std::vector<absl::StatusOr<Reply>>> EvalAll(const std::vector<ScriptCall>& calls);

  // A blocking command such as XREADGROUP ... BLOCK <ms>, on a connection
  // whose read timeout is `block` + command_timeout. These connections do not
  // count against pool_size, so blocked readers never starve other callers.
  absl::StatusOr<Reply> BlockingCommand(const std::vector<std::string>& argv,
                                        absl::Duration block);

  // OK if Redis answers PONG.
  absl::Status Ping();

  // Returns once options().wait_replicas replicas hold every write that Redis
  // applied before this call, whoever sent it: a PUBLISH to
  // kReplicationBarrierChannel, replicated in order after those writes, then
  // WAIT for it. OK at once when wait_replicas is 0. UNAVAILABLE, "only N of
  // the M replicas ... within T", when fewer acknowledge in time: the writes
  // are on the master and may not survive its loss.
  absl::Status WaitForReplicas();

  const ClientOptions& options() const { return options_; }

 private:
  explicit Client(const ClientOptions& options);

  using ConnectionPtr = std::unique_ptr<internal::Connection>;
  // Takes the calling thread's connection (blocking: an idle one of the
  // shared set), checked for a socket the server closed, or opens one.
  absl::StatusOr<ConnectionPtr> Borrow(bool blocking);
  void GiveBack(ConnectionPtr connection, bool blocking);
  // Opens a connection unless a recent connect failed and the backoff has not
  // passed; records the outcome for the backoff.
  absl::StatusOr<ConnectionPtr> OpenWithBackoff();
  // A connection to the endpoint, or under Sentinel to its current master.
  absl::StatusOr<ConnectionPtr> Open();
  // Under Sentinel: the next connection asks the sentinels for the master.
  void ForgetMasterIfBroken(const internal::Connection& connection) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ClientOptions options_;
  const uint64_t id_;  // names this Client's connection in each thread's list
  // Expires with the Client: a thread's entry for it is then closed.
  const std::shared_ptr<const void> alive_;
  absl::Mutex mu_;
  std::vector<ConnectionPtr> idle_blocking_ ABSL_GUARDED_BY(mu_);
  absl::Duration backoff_ ABSL_GUARDED_BY(mu_) = absl::ZeroDuration();  // zero: last connect worked
  absl::Time next_connect_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::string last_connect_error_ ABSL_GUARDED_BY(mu_);
  // Under Sentinel, the master the sentinels named last; empty until asked and
  // after a connection to it broke.
  std::optional<Endpoint> master_ ABSL_GUARDED_BY(mu_);
};

}  // namespace telederm::redis

#endif  // TELEDERM_COMMON_REDIS_CLIENT_H_
