#ifndef TELEDERM_COMMON_AUTH_TOKEN_H_
#define TELEDERM_COMMON_AUTH_TOKEN_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth/claims.h"
#include "common/auth/key_ring.h"

namespace telederm::auth {

// Bearer tokens are compact JWTs (RFC 7519) signed with HS256 (HMAC-SHA256,
// OpenSSL). Header {"alg":"HS256","typ":"JWT","kid":...}; payload
//   {"iss":"telederm","sub":...,"role":...,"clinic":...,"pools":[...],
//    "iat":<s>,"exp":<s>,"jti":...}
// Pure functions, safe from any thread.

inline constexpr size_t kMaxTokenBytes = 4096;
// How far in the future a token's "iat" may lie (clock skew between hosts).
inline constexpr absl::Duration kFutureSkew = absl::Minutes(5);

// Signs `claims` with the ring's signing key; claims.key_id is ignored and set
// from the ring. INVALID_ARGUMENT when the claims are not ones VerifyToken
// would accept (bad subject, clinic without a clinic id, expiry not after issue).
absl::StatusOr<std::string> IssueToken(const Claims& claims, const KeyRing& ring);

// UNAUTHENTICATED, with a reason that names what is wrong and never echoes the
// token, when `token` is malformed, signed with another algorithm ("none"
// included), by an unknown key id or with a wrong signature, expired at `now`,
// issued more than 5 minutes in the future, or carries claims that do not
// fit its role.
absl::StatusOr<Claims> VerifyToken(absl::string_view token, const KeyRing& ring, absl::Time now);

// The role `token` claims, read WITHOUT checking its signature or expiry: for
// clients only, to choose which service a call goes to. Services verify with
// VerifyToken; nullopt when the token cannot be read at all.
std::optional<Role> ClaimedRole(absl::string_view token);

// A random token id (128 bits, hex) for Claims::token_id.
std::string NewTokenId();

}  // namespace telederm::auth

#endif  // TELEDERM_COMMON_AUTH_TOKEN_H_
