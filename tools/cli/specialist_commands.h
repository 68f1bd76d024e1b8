#ifndef TELEDERM_TOOLS_CLI_SPECIALIST_COMMANDS_H_
#define TELEDERM_TOOLS_CLI_SPECIALIST_COMMANDS_H_

#include "absl/status/statusor.h"
#include "telederm/v1/case.pb.h"
#include "tools/cli/cli_args.h"
#include "tools/cli/command_context.h"

namespace telederm::cli {

// The specialist's commands, against ReferralService. Each returns the exit code.
int RunQueue(const CommandLine& line, const CommandContext& context);
int RunClaim(const CommandLine& line, const CommandContext& context);
int RunExtend(const CommandLine& line, const CommandContext& context);
int RunRelease(const CommandLine& line, const CommandContext& context);
int RunReport(const CommandLine& line, const CommandContext& context);

// The Report the flags of `report` describe; INVALID_ARGUMENT naming a missing or
// unparsable flag. Text limits are left to the referral service.
absl::StatusOr<v1::Report> BuildReport(const CommandLine& line);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_SPECIALIST_COMMANDS_H_
