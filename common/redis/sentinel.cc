#include "common/redis/sentinel.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace telederm::redis::internal {
namespace {

// One sentinel's answer: the master's address, or why not.
absl::StatusOr<Endpoint> AskSentinel(const ClientOptions& options, const Endpoint& sentinel) {
  ClientOptions to_sentinel;
  to_sentinel.endpoint = sentinel;
  to_sentinel.connect_timeout = options.connect_timeout;
  to_sentinel.command_timeout = options.connect_timeout;
  absl::StatusOr<std::unique_ptr<Connection>> connection = Connection::Open(to_sentinel);
  if (!connection.ok()) return connection.status();
  absl::StatusOr<Reply> reply =
      (*connection)->Run({"SENTINEL", "get-master-addr-by-name", options.endpoint.master_name});
  if (!reply.ok()) return reply.status();
  int port = 0;
  if (reply->IsNil()) {
    return absl::UnavailableError(absl::StrCat("knows no master named ", options.endpoint.master_name));
  }
  if (reply->type != Reply::Type::kArray || reply->elements.size() != 2 ||
      !absl::SimpleAtoi(reply->elements[1].str, &port)) {
    return absl::UnavailableError(absl::StrCat("unexpected reply ", reply->DebugString()));
  }
  Endpoint master;
  master.host = reply->elements[0].str;
  master.port = port;
  return master;
}

}  // namespace

absl::StatusOr<Endpoint> AskSentinelsForMaster(const ClientOptions& options) {
  std::vector<std::string> answers;
  for (const Endpoint& sentinel : options.endpoint.sentinels) {
    absl::StatusOr<Endpoint> master = AskSentinel(options, sentinel);
    if (master.ok()) return master;
    answers.push_back(absl::StrCat(sentinel.ToString(), ": ", master.status().message()));
  }
  return absl::UnavailableError(absl::StrCat("redis at ", options.endpoint.ToString(),
                                             " unavailable: no sentinel names a master (",
                                             absl::StrJoin(answers, "; "), ")"));
}

absl::StatusOr<std::unique_ptr<Connection>> OpenMaster(const ClientOptions& options, const Endpoint& master) {
  ClientOptions to_master = options;
  to_master.endpoint = master;
  absl::StatusOr<std::unique_ptr<Connection>> connection = Connection::Open(to_master);
  if (!connection.ok()) return connection.status();
  absl::StatusOr<Reply> role = (*connection)->Run({"ROLE"});
  if (!role.ok()) return role.status();
  if (role->type != Reply::Type::kArray || role->elements.empty() || role->elements[0].str != "master") {
    return absl::UnavailableError(absl::StrCat(
        "redis at ", master.ToString(), " unavailable: the sentinels of ", options.endpoint.ToString(),
        " name it master but it is not (ROLE ", role->DebugString(), "); waiting for the failover to finish"));
  }
  return connection;
}

}  // namespace telederm::redis::internal
