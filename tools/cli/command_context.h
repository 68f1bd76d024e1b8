#ifndef TELEDERM_TOOLS_CLI_COMMAND_CONTEXT_H_
#define TELEDERM_TOOLS_CLI_COMMAND_CONTEXT_H_

#include <ostream>
#include <string>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "tools/cli/channel.h"
#include "tools/cli/cli_args.h"

namespace telederm::cli {

// What every command runs with. The streams are borrowed and outlive the command.
struct CommandContext {
  const CommandSpec* command = nullptr;
  GlobalOptions options;
  CallIdentity identity;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;

  // Writes one line to `out` and flushes it, so a reader of a pipe sees it at once.
  void Print(absl::string_view line) const;
};

// Each prints its message to `err` and returns the exit code to use.
// "error: <message>" and a pointer to the command's --help; kExitUsage.
int UsageFailure(const CommandContext& context, const absl::Status& status);
// "error: <CODE>: <message>" (see DescribeFailure); kExitFailure.
int CallFailure(const CommandContext& context, const grpc::Status& status, const Endpoint& endpoint);
// "error: <CODE>: <message>" for a failure on this side (e.g. an unreadable file); kExitFailure.
int LocalFailure(const CommandContext& context, const absl::Status& status);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_COMMAND_CONTEXT_H_
