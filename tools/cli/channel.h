#ifndef TELEDERM_TOOLS_CLI_CHANNEL_H_
#define TELEDERM_TOOLS_CLI_CHANNEL_H_

#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tools/cli/cli_args.h"

namespace telederm::cli {

// A service the CLI calls: its name for messages ("intake", "triage", "referral"),
// its address and a channel to it. Creating one does not connect.
struct Endpoint {
  std::string service;
  std::string address;
  std::shared_ptr<grpc::Channel> channel;
};

// How channels are secured and what every call carries, for the whole process.
struct ChannelSecurity {
  bool tls = false;
  std::string ca_cert_pem;  // empty with tls: the system's CAs
  std::string client_cert_pem;
  std::string client_key_pem;
  std::string bearer_token;  // sent as "authorization: Bearer ..." on every call
};
// Reads the files `options` names; set once, before any command runs.
// INVALID_ARGUMENT naming the flag when a file cannot be read.
absl::Status ConfigureChannelSecurity(const GlobalOptions& options);

// The one place channel credentials are chosen: TLS when configured
// (ConfigureChannelSecurity), else plaintext, which only a server started
// with --plaintext_for_development on loopback accepts.
Endpoint OpenEndpoint(absl::string_view service, const std::string& address);

// Who a call says it is, sent as request metadata (common/caller/caller.h headers).
struct CallIdentity {
  enum class Role { kNone, kClinic, kSpecialist, kAdmin };
  Role role = Role::kNone;
  std::string id;
  std::string pools;  // specialists only; empty: not sent
};

// The identity `command` needs from `options`. INVALID_ARGUMENT naming the flag and the
// environment variable when it is missing. Commands open to both roles use the
// specialist identity when one is configured, else the clinic's.
absl::StatusOr<CallIdentity> IdentityFor(const CommandSpec& command, const GlobalOptions& options);

// Sets the deadline (none when `deadline` is infinite) and who is calling: the
// bearer token when one is configured, else the development identity headers.
void PrepareContext(grpc::ClientContext& context, const CallIdentity& identity, absl::Duration deadline);

// "error: CODE: message" for a failed call. When the service could not be reached at
// all, the message names the service and address and suggests checking it is running.
std::string DescribeFailure(const grpc::Status& status, const Endpoint& endpoint);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_CHANNEL_H_
