#ifndef TELEDERM_TOOLS_CLI_TRIAGE_COMMANDS_H_
#define TELEDERM_TOOLS_CLI_TRIAGE_COMMANDS_H_

#include "tools/cli/cli_args.h"
#include "tools/cli/command_context.h"

namespace telederm::cli {

// Read-only views of pre-screening, against TriageService. Each returns the exit code.
int RunTriage(const CommandLine& line, const CommandContext& context);
int RunAnalyzers(const CommandLine& line, const CommandContext& context);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_TRIAGE_COMMANDS_H_
