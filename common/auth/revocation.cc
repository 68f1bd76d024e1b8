#include "common/auth/revocation.h"

#include "absl/strings/str_cat.h"
#include "common/case_store/keys.h"

namespace telederm::auth {

absl::Status Revocations::Revoke(absl::string_view token_id, absl::Time expires_at, absl::Time now) {
  std::vector<std::vector<std::string>> commands = {
      {"ZADD", keys::kRevokedTokens, absl::StrCat(absl::ToUnixMillis(expires_at)), std::string(token_id)},
      {"ZREMRANGEBYSCORE", keys::kRevokedTokens, "-inf", absl::StrCat("(", absl::ToUnixMillis(now))}};
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis_->Pipeline(commands);
  if (!replies.ok()) return replies.status();
  return (*replies)[0].status();
}

absl::StatusOr<bool> Revocations::IsRevoked(absl::string_view token_id) {
  return IsRevokedReply(redis_->Command(IsRevokedCommand(token_id)));
}

std::vector<std::string> Revocations::IsRevokedCommand(absl::string_view token_id) {
  return {"ZSCORE", keys::kRevokedTokens, std::string(token_id)};
}

absl::StatusOr<bool> Revocations::IsRevokedReply(const absl::StatusOr<redis::Reply>& reply) {
  if (!reply.ok()) return reply.status();
  return !reply->IsNil();
}

}  // namespace telederm::auth
