#ifndef TELEDERM_COMMON_AUTH_VERIFIED_TOKENS_H_
#define TELEDERM_COMMON_AUTH_VERIFIED_TOKENS_H_

#include <cstddef>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/auth/claims.h"
#include "common/auth/key_ring.h"

namespace telederm::auth {

// VerifyToken (token.h) with a memory of the tokens that verified, so that a
// call's token, checked by the gate, the handler and the audit interceptor,
// costs one HMAC and two JSON parses per process rather than three per call.
//
// Verify answers exactly as VerifyToken(token, keys, now) would: a
// remembered token is the same bytes checked against the same immutable key
// ring, so only its time can change the answer, and expiry is checked on
// every call. A token that fails is never remembered. Revocation is not this
// class's business: the gate asks Redis on every call. At most `capacity`
// tokens are kept (all are forgotten when it is reached). Thread-safe.
class VerifiedTokens {
 public:
  explicit VerifiedTokens(KeyRing keys, size_t capacity = 1024) : keys_(std::move(keys)), capacity_(capacity) {}

  absl::StatusOr<Claims> Verify(absl::string_view token, absl::Time now);
  // Whether `token` verified before and is remembered: Verify would then be a lookup, not an HMAC.
  bool Remembers(absl::string_view token) const;

  const KeyRing& keys() const { return keys_; }

 private:
  const KeyRing keys_;
  const size_t capacity_;
  mutable absl::Mutex mutex_;
  absl::flat_hash_map<std::string, Claims> verified_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace telederm::auth

#endif  // TELEDERM_COMMON_AUTH_VERIFIED_TOKENS_H_
