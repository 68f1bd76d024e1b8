#ifndef TELEDERM_COMMON_REDIS_ERRORS_H_
#define TELEDERM_COMMON_REDIS_ERRORS_H_

#include <string_view>

#include "absl/status/status.h"

namespace telederm::redis {

// How Redis error replies become absl::Status. The status message is always
// Redis's error text verbatim (e.g. "WRONGTYPE Operation against a key ...").
//
//   LOADING, BUSY, MASTERDOWN, TRYAGAIN, CLUSTERDOWN,
//   READONLY, NOREPLICAS                              -> UNAVAILABLE (transient)
//   OOM                                               -> RESOURCE_EXHAUSTED
//   anything else                                     -> INTERNAL
absl::Status ErrorReplyToStatus(std::string_view redis_message);

// For script errors: if `status` carries a message "<CODE>: text" where CODE
// is an absl canonical code name other than OK (e.g. "NOT_FOUND: no case"),
// returns that code with "text". Otherwise returns `status` unchanged.
absl::Status ScriptErrorToStatus(const absl::Status& status);

// True if `status` came from a Redis error reply whose error code (first word)
// is `code`, e.g. IsRedisError(s, "BUSYGROUP").
bool IsRedisError(const absl::Status& status, std::string_view code);

}  // namespace telederm::redis

#endif  // TELEDERM_COMMON_REDIS_ERRORS_H_
