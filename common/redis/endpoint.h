#ifndef TELEDERM_COMMON_REDIS_ENDPOINT_H_
#define TELEDERM_COMMON_REDIS_ENDPOINT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace telederm::redis {

// Where a Redis server listens: TCP host and port, or, when `unix_socket` is
// set, a Unix domain socket on this host (host and port are then unused). A
// Redis on the same host is cheaper to reach over its socket: neither side
// runs the TCP stack per command.
//
// Or, when `master_name` is set, a Redis that Redis Sentinel watches: the
// `sentinels` (TCP endpoints) are asked, in turn, for the current master of
// `master_name` (host, port and unix_socket are then unused); see
// docs/REDIS_LAYER.md, "Sentinel". A plain value type.
struct Endpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string unix_socket;  // absolute path of redis.conf's `unixsocket`
  std::vector<Endpoint> sentinels;
  std::string master_name;  // sentinel.conf's `sentinel monitor <master_name> ...`

  bool is_unix_socket() const { return !unix_socket.empty(); }
  bool is_sentinel() const { return !master_name.empty(); }

  // "host:port", "unix:/path/to/redis.sock" or
  // "sentinel://host:port,host:port/master_name", as Parse accepts it.
  std::string ToString() const;

  // Parses "host:port", "host" (port 6379), ":port" (host 127.0.0.1),
  // "unix:/absolute/path/to/redis.sock", or
  // "sentinel://host:port[,host:port...]/master_name" (a sentinel without a
  // port listens on 26379). INVALID_ARGUMENT names the bad part.
  static absl::StatusOr<Endpoint> Parse(std::string_view address);
};

}  // namespace telederm::redis

#endif  // TELEDERM_COMMON_REDIS_ENDPOINT_H_
