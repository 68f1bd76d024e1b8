#ifndef TELEDERM_COMMON_METRICS_HTTP_GET_H_
#define TELEDERM_COMMON_METRICS_HTTP_GET_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace telederm::metrics {

// GET http://<host>:<port><path> (HTTP/1.0, plain TCP) and returns the body
// of a 200 answer; UNAVAILABLE when nothing answers, INTERNAL for another
// status. For scraping /metrics in tests and probes, not a general client.
absl::StatusOr<std::string> HttpGet(const std::string& host, int port, const std::string& path,
                                    absl::Duration timeout = absl::Seconds(5));

}  // namespace telederm::metrics

#endif  // TELEDERM_COMMON_METRICS_HTTP_GET_H_
