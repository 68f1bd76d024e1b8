#ifndef TELEDERM_TOOLS_CLI_CLINIC_COMMANDS_H_
#define TELEDERM_TOOLS_CLI_CLINIC_COMMANDS_H_

#include "tools/cli/cli_args.h"
#include "tools/cli/command_context.h"

namespace telederm::cli {

// The clinic's commands, against IntakeService. Each returns the process exit code.
int RunUpload(const CommandLine& line, const CommandContext& context);
int RunSubmit(const CommandLine& line, const CommandContext& context);
int RunCase(const CommandLine& line, const CommandContext& context);
int RunCases(const CommandLine& line, const CommandContext& context);
// Blocks while events arrive: until the timeout, the awaited report, or a failure.
int RunWatch(const CommandLine& line, const CommandContext& context);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_CLINIC_COMMANDS_H_
