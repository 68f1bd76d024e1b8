#include "tools/cli/channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/token.h"
#include "common/caller/caller.h"

namespace telederm::cli {

namespace {

ChannelSecurity& Security() {
  static ChannelSecurity* security = new ChannelSecurity();
  return *security;
}

absl::StatusOr<std::string> ReadFile(absl::string_view flag, const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return absl::InvalidArgumentError(absl::StrCat("--", flag, ": cannot read ", path));
  return text.str();
}

}  // namespace

absl::Status ConfigureChannelSecurity(const GlobalOptions& options) {
  ChannelSecurity security;
  security.tls = options.tls;
  security.bearer_token = options.auth_token;
  if (!options.ca_cert_file.empty()) {
    absl::StatusOr<std::string> ca = ReadFile("ca-cert", options.ca_cert_file);
    if (!ca.ok()) return ca.status();
    security.ca_cert_pem = *ca;
  }
  if (!options.client_cert_file.empty()) {
    absl::StatusOr<std::string> cert = ReadFile("client-cert", options.client_cert_file);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadFile("client-key", options.client_key_file);
    if (!key.ok()) return key.status();
    security.client_cert_pem = *cert;
    security.client_key_pem = *key;
  }
  Security() = std::move(security);
  return absl::OkStatus();
}

Endpoint OpenEndpoint(absl::string_view service, const std::string& address) {
  Endpoint endpoint;
  endpoint.service = std::string(service);
  endpoint.address = address;
  const ChannelSecurity& security = Security();
  if (security.tls) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = security.ca_cert_pem;
    ssl.pem_cert_chain = security.client_cert_pem;
    ssl.pem_private_key = security.client_key_pem;
    endpoint.channel = grpc::CreateChannel(address, grpc::SslCredentials(ssl));
  } else {
    endpoint.channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  }
  return endpoint;
}

absl::StatusOr<CallIdentity> IdentityFor(const CommandSpec& command, const GlobalOptions& options) {
  CallIdentity identity;
  if (!options.auth_token.empty()) {
    // The token says who is calling (the service verifies it); its role also
    // says which service a command open to both sides goes to. --clinic and
    // --specialist, when given, only label output.
    switch (auth::ClaimedRole(options.auth_token).value_or(auth::Role::kClinic)) {
      case auth::Role::kSpecialist:
      case auth::Role::kSupervisor:
        identity.role = CallIdentity::Role::kSpecialist;
        identity.id = options.specialist_id;
        break;
      case auth::Role::kAdmin:
      case auth::Role::kService:
        identity.role = CallIdentity::Role::kAdmin;
        identity.id = options.admin_id;
        break;
      case auth::Role::kClinic:
        identity.role = CallIdentity::Role::kClinic;
        identity.id = options.clinic_id;
        break;
    }
    return identity;
  }
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
    case Identity::kAdmin:
      if (options.admin_id.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("'", command.name, "' needs an administrator id: pass --admin ID or set TELEDERM_ADMIN"));
      }
      identity.role = CallIdentity::Role::kAdmin;
      identity.id = options.admin_id;
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
  if (const std::string& token = Security().bearer_token; !token.empty()) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    return;
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
    case CallIdentity::Role::kAdmin:
      context.AddMetadata(kAdminIdHeader, identity.id);
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
