#include "common/redis/endpoint.h"

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace telederm::redis {

std::string Endpoint::ToString() const { return absl::StrCat(host, ":", port); }

absl::StatusOr<Endpoint> Endpoint::Parse(std::string_view host_port) {
  Endpoint endpoint;
  const size_t colon = host_port.rfind(':');
  const absl::string_view whole(host_port.data(), host_port.size());
  absl::string_view host = whole.substr(0, colon);
  if (colon != std::string_view::npos) {
    absl::string_view port_text = whole.substr(colon + 1);
    int port = 0;
    if (!absl::SimpleAtoi(port_text, &port) || port <= 0 || port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat(
          "redis endpoint \"", whole, "\": port \"", port_text,
          "\" is not a number in 1..65535"));
    }
    endpoint.port = port;
  }
  if (!host.empty()) endpoint.host = std::string(host);
  if (host.empty() && colon == std::string_view::npos) {
    return absl::InvalidArgumentError(
        "redis endpoint is empty; expected host:port");
  }
  return endpoint;
}

}  // namespace telederm::redis
