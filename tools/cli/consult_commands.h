#ifndef TELEDERM_TOOLS_CLI_CONSULT_COMMANDS_H_
#define TELEDERM_TOOLS_CLI_CONSULT_COMMANDS_H_

#include "tools/cli/cli_args.h"
#include "tools/cli/command_context.h"

namespace telederm::cli {

// The consultation commands. `message`, `messages` and `read` work for both
// sides: as a specialist against ReferralService, as a clinic against
// IntakeService. Each returns the exit code.
int RunMessage(const CommandLine& line, const CommandContext& context);
int RunMessages(const CommandLine& line, const CommandContext& context);
int RunRead(const CommandLine& line, const CommandContext& context);
// The clinic's.
int RunAck(const CommandLine& line, const CommandContext& context);
// The specialist's.
int RunAsk(const CommandLine& line, const CommandContext& context);
int RunDraft(const CommandLine& line, const CommandContext& context);
int RunSecondOpinion(const CommandLine& line, const CommandContext& context);
int RunReassign(const CommandLine& line, const CommandContext& context);
int RunBiopsy(const CommandLine& line, const CommandContext& context);
int RunWatchQueue(const CommandLine& line, const CommandContext& context);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_CONSULT_COMMANDS_H_
