#ifndef TELEDERM_COMMON_REDIS_ENDPOINT_H_
#define TELEDERM_COMMON_REDIS_ENDPOINT_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace telederm::redis {

// Where a Redis server listens: TCP host and port, or, when `unix_socket` is
// set, a Unix domain socket on this host (host and port are then unused). A
// Redis on the same host is cheaper to reach over its socket: neither side
// runs the TCP stack per command. A plain value type.
struct Endpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string unix_socket;  // absolute path of redis.conf's `unixsocket`

  bool is_unix_socket() const { return !unix_socket.empty(); }

  // "host:port" or "unix:/path/to/redis.sock", as Parse accepts it.
  std::string ToString() const;

  // Parses "host:port", "host" (port 6379), ":port" (host 127.0.0.1) or
  // "unix:/absolute/path/to/redis.sock". INVALID_ARGUMENT names the bad part.
  static absl::StatusOr<Endpoint> Parse(std::string_view address);
};

}  // namespace telederm::redis

#endif  // TELEDERM_COMMON_REDIS_ENDPOINT_H_
