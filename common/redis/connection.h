#ifndef TELEDERM_COMMON_REDIS_CONNECTION_H_
#define TELEDERM_COMMON_REDIS_CONNECTION_H_

// Internal to telederm::redis: the only header that names hiredis types.
// Do not include from outside common/redis.

#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis/client.h"
#include "common/redis/reply.h"

namespace telederm::redis::internal {

struct ContextDeleter {
  void operator()(redisContext* context) const { redisFree(context); }
};
using ContextUPtr = std::unique_ptr<redisContext, ContextDeleter>;

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ReplyUPtr = std::unique_ptr<redisReply, ReplyDeleter>;

// The RESP encoding of one command (an array of bulk strings), as
// redisFormatCommandArgv makes it.
std::string FormatCommand(const std::vector<std::string>& argv);

// Copies a hiredis reply tree into an owned Reply. A nested error becomes
// Reply::Type::kError.
Reply ToReply(const redisReply& reply);

// hiredis 0.14 allocates an array reply's element table as soon as it reads
// the header: "*488888888" made it ask for 3.9 GB (found by
// tests/fuzz/redis_reply_fuzzer). A bounded reader refuses, as out of memory,
// an array announcing more than kMaxReplyElements elements before anything is
// allocated; the connection then breaks (UNAVAILABLE). Every Connection's
// reader is bounded.
inline constexpr int kMaxReplyElements = 1 << 20;
void BoundReplySize(redisReader* reader);

// One synchronous hiredis connection, authenticated if the options say so.
// Thread-compatible: one borrower at a time. Once a transport error happened
// (I/O error, timeout, protocol error) it is broken() and must be discarded;
// so is a connection that met a READONLY reply (its server has become a
// replica), although the replies already sent can still be read.
class Connection {
 public:
  static absl::StatusOr<std::unique_ptr<Connection>> Open(
      const ClientOptions& options);

  // Sets the socket read/write timeout.
  absl::Status SetTimeout(absl::Duration timeout);

  // Sends one command and reads its reply. A Redis error reply becomes a
  // status per ErrorReplyToStatus; transport errors become UNAVAILABLE.
  absl::StatusOr<Reply> Run(const std::vector<std::string>& argv);

  // Buffers a command for a pipeline; Flush-and-read happens in ReadReply.
  absl::Status Append(const std::vector<std::string>& argv);
  // Reads the next pipelined reply. The outer status is a transport error
  // (connection broken); the inner one a per-command Redis error.
  absl::StatusOr<absl::StatusOr<Reply>> ReadReply();

  bool broken() const { return broken_ || on_replica_; }
  // False if the server has closed the socket (seen without blocking). Used
  // before reusing an idle connection.
  bool LooksAlive();

 private:
  Connection(ContextUPtr context, std::string where)
      : context_(std::move(context)), where_(std::move(where)) {}
  absl::Status TransportError();

  ContextUPtr context_;
  std::string where_;  // "redis at host:port" or "redis at unix:/path"
  bool broken_ = false;
  bool on_replica_ = false;  // a READONLY reply came back
};

}  // namespace telederm::redis::internal

#endif  // TELEDERM_COMMON_REDIS_CONNECTION_H_
