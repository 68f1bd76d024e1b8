#include "tools/cli/channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/caller/caller.h"

namespace telederm::cli {

Endpoint OpenEndpoint(absl::string_view service, const std::string& address) {
  Endpoint endpoint;
  endpoint.service = std::string(service);
  endpoint.address = address;
  endpoint.channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  return endpoint;
}

absl::StatusOr<CallIdentity> IdentityFor(const CommandSpec& command, const GlobalOptions& options) {
  CallIdentity identity;
  auto as_clinic = [&]() -> absl::StatusOr<CallIdentity> {
    if (options.clinic_id.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", command.name, "' needs a clinic id: pass --clinic ID or set TELEDERM_CLINIC"));
    }
    identity.role = CallIdentity::Role::kClinic;
    identity.id = options.clinic_id;
    return identity;
  };
  auto as_specialist = [&]() -> absl::StatusOr<CallIdentity> {
    if (options.specialist_id.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", command.name, "' needs a specialist id: pass --specialist ID or set TELEDERM_SPECIALIST"));
    }
    identity.role = CallIdentity::Role::kSpecialist;
    identity.id = options.specialist_id;
    identity.pools = options.pools;
    return identity;
  };
  switch (command.identity) {
    case Identity::kNone:
      return identity;
    case Identity::kClinic:
      return as_clinic();
    case Identity::kSpecialist:
      return as_specialist();
    case Identity::kClinicOrSpecialist:
      if (!options.specialist_id.empty()) return as_specialist();
      if (!options.clinic_id.empty()) return as_clinic();
      return absl::InvalidArgumentError(absl::StrCat(
          "'", command.name,
          "' needs a caller: pass --specialist ID (TELEDERM_SPECIALIST) or --clinic ID (TELEDERM_CLINIC)"));
  }
  return identity;
}

void PrepareContext(grpc::ClientContext& context, const CallIdentity& identity, absl::Duration deadline) {
  if (deadline != absl::InfiniteDuration()) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  }
  switch (identity.role) {
    case CallIdentity::Role::kNone:
      break;
    case CallIdentity::Role::kClinic:
      context.AddMetadata(kClinicIdHeader, identity.id);
      break;
    case CallIdentity::Role::kSpecialist:
      context.AddMetadata(kSpecialistIdHeader, identity.id);
      if (!identity.pools.empty()) context.AddMetadata(kPoolsHeader, identity.pools);
      break;
  }
}

std::string DescribeFailure(const grpc::Status& status, const Endpoint& endpoint) {
  std::string code = absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()));
  // A service that answers UNAVAILABLE itself (e.g. while Redis is away) leaves the channel
  // READY; a connection that never came up leaves it elsewhere.
  bool unreachable = status.error_code() == grpc::StatusCode::UNAVAILABLE &&
                     endpoint.channel != nullptr &&
                     endpoint.channel->GetState(/*try_to_connect=*/false) != GRPC_CHANNEL_READY;
  if (unreachable) {
    return absl::StrCat("error: ", code, ": could not reach the ", endpoint.service, " service at ",
                        endpoint.address, " (", status.error_message(), "); check that it is running",
                        " and that --", endpoint.service, " points at it");
  }
  return absl::StrCat("error: ", code, ": ", status.error_message());
}

}  // namespace telederm::cli
