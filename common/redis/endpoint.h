#ifndef TELEDERM_COMMON_REDIS_ENDPOINT_H_
#define TELEDERM_COMMON_REDIS_ENDPOINT_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace telederm::redis {

// Where a Redis server listens. A plain value type.
struct Endpoint {
  std::string host = "127.0.0.1";
  int port = 6379;

  // "host:port".
  std::string ToString() const;

  // Parses "host:port", "host" (port 6379) or ":port" (host 127.0.0.1).
  // INVALID_ARGUMENT names the bad part.
  static absl::StatusOr<Endpoint> Parse(std::string_view host_port);
};

}  // namespace telederm::redis

#endif  // TELEDERM_COMMON_REDIS_ENDPOINT_H_
