#ifndef TELEDERM_COMMON_AUTH_REVOCATION_H_
#define TELEDERM_COMMON_AUTH_REVOCATION_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis/client.h"

namespace telederm::auth {

// Revoked token ids, in Redis (keys::kRevokedTokens: ZSET jti -> expiry ms),
// so that every process of every service refuses a revoked token at once.
// An entry is kept until the token would have expired anyway, then pruned.
// Thread-safe: a Client is.
class Revocations {
 public:
  explicit Revocations(std::shared_ptr<redis::Client> redis) : redis_(std::move(redis)) {}

  // Revokes `token_id` until `expires_at`. Idempotent.
  absl::Status Revoke(absl::string_view token_id, absl::Time expires_at, absl::Time now);
  // UNAVAILABLE when Redis cannot answer: the caller must then refuse (fail closed).
  absl::StatusOr<bool> IsRevoked(absl::string_view token_id);

  // IsRevoked in two halves, for a caller that sends the check in one
  // pipeline with its other commands: the command, and what its reply means
  // (a failed reply is the caller's to refuse, as above).
  static std::vector<std::string> IsRevokedCommand(absl::string_view token_id);
  static absl::StatusOr<bool> IsRevokedReply(const absl::StatusOr<redis::Reply>& reply);

 private:
  std::shared_ptr<redis::Client> redis_;
};

}  // namespace telederm::auth

#endif  // TELEDERM_COMMON_AUTH_REVOCATION_H_
