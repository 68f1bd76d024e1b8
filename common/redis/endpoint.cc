#include "common/redis/endpoint.h"

#include <sys/un.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace telederm::redis {
namespace {

constexpr absl::string_view kUnixPrefix = "unix:";
constexpr absl::string_view kSentinelPrefix = "sentinel://";
constexpr int kSentinelPort = 26379;

absl::StatusOr<Endpoint> ParseUnixSocket(absl::string_view whole, absl::string_view path) {
  if (path.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "redis endpoint \"", whole, "\": no socket path after \"unix:\"; expected unix:/path/to/redis.sock"));
  }
  if (path.front() != '/') {
    return absl::InvalidArgumentError(absl::StrCat(
        "redis endpoint \"", whole, "\": socket path \"", path,
        "\" is not absolute; give the full path of redis.conf's unixsocket"));
  }
  // The kernel's limit (sockaddr_un::sun_path, NUL included).
  constexpr size_t kMaxPath = sizeof(sockaddr_un::sun_path) - 1;
  if (path.size() > kMaxPath) {
    return absl::InvalidArgumentError(absl::StrCat(
        "redis endpoint \"", whole, "\": socket path is ", path.size(),
        " bytes long; a Unix socket path has at most ", kMaxPath));
  }
  Endpoint endpoint;
  endpoint.unix_socket = std::string(path);
  return endpoint;
}

absl::StatusOr<Endpoint> ParseSentinels(absl::string_view whole, absl::string_view rest) {
  constexpr absl::string_view kExpected = "; expected sentinel://host:port,host:port/master_name";
  const size_t slash = rest.rfind('/');
  if (slash == absl::string_view::npos || slash + 1 == rest.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis endpoint \"", whole, "\": no master name after the sentinels", kExpected));
  }
  Endpoint endpoint;
  endpoint.master_name = std::string(rest.substr(slash + 1));
  for (absl::string_view sentinel : absl::StrSplit(rest.substr(0, slash), ',')) {
    if (sentinel.empty() || absl::StartsWith(sentinel, kUnixPrefix)) {
      return absl::InvalidArgumentError(absl::StrCat("redis endpoint \"", whole, "\": sentinel \"", sentinel,
                                                     "\" is not a host:port", kExpected));
    }
    const bool has_port = sentinel.find(':') != absl::string_view::npos;
    const std::string host_port = has_port ? std::string(sentinel) : absl::StrCat(sentinel, ":", kSentinelPort);
    absl::StatusOr<Endpoint> parsed = Endpoint::Parse(host_port);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("redis endpoint \"", whole, "\": sentinel ", parsed.status().message()));
    }
    endpoint.sentinels.push_back(*std::move(parsed));
  }
  return endpoint;
}

}  // namespace

std::string Endpoint::ToString() const {
  if (is_sentinel()) {
    return absl::StrCat(kSentinelPrefix,
                        absl::StrJoin(sentinels, ",",
                                      [](std::string* out, const Endpoint& e) { out->append(e.ToString()); }),
                        "/", master_name);
  }
  if (is_unix_socket()) return absl::StrCat(kUnixPrefix, unix_socket);
  return absl::StrCat(host, ":", port);
}

absl::StatusOr<Endpoint> Endpoint::Parse(std::string_view address) {
  const absl::string_view whole(address.data(), address.size());
  if (absl::StartsWith(whole, kUnixPrefix)) {
    return ParseUnixSocket(whole, whole.substr(kUnixPrefix.size()));
  }
  if (absl::StartsWith(whole, kSentinelPrefix)) {
    return ParseSentinels(whole, whole.substr(kSentinelPrefix.size()));
  }
  Endpoint endpoint;
  const size_t colon = whole.rfind(':');
  absl::string_view host = whole.substr(0, colon);
  if (colon != absl::string_view::npos) {
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
  if (host.empty() && colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "redis endpoint is empty; expected host:port or unix:/path/to/redis.sock");
  }
  return endpoint;
}

}  // namespace telederm::redis
