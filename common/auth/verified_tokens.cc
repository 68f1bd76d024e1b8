#include "common/auth/verified_tokens.h"

#include "common/auth/token.h"

namespace telederm::auth {

absl::StatusOr<Claims> VerifiedTokens::Verify(absl::string_view token, absl::Time now) {
  {
    absl::ReaderMutexLock lock(&mutex_);
    if (auto it = verified_.find(token); it != verified_.end()) {
      // The checks of VerifyToken that time can turn, with the same messages.
      if (now >= it->second.expires_at) return absl::UnauthenticatedError("bearer token refused: expired");
      if (it->second.issued_at > now + kFutureSkew) {
        return absl::UnauthenticatedError("bearer token refused: issued in the future");
      }
      return it->second;
    }
  }
  absl::StatusOr<Claims> claims = VerifyToken(token, keys_, now);
  if (!claims.ok()) return claims;
  absl::MutexLock lock(&mutex_);
  if (verified_.size() >= capacity_) verified_.clear();
  verified_.emplace(token, *claims);
  return claims;
}

bool VerifiedTokens::Remembers(absl::string_view token) const {
  absl::ReaderMutexLock lock(&mutex_);
  return verified_.contains(token);
}

}  // namespace telederm::auth
