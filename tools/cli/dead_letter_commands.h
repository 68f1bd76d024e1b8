#ifndef TELEDERM_TOOLS_CLI_DEAD_LETTER_COMMANDS_H_
#define TELEDERM_TOOLS_CLI_DEAD_LETTER_COMMANDS_H_

#include "tools/cli/cli_args.h"
#include "tools/cli/command_context.h"

namespace telederm::cli {

// Operators' commands against DeadLetterService (served by triage): list,
// inspect and replay the stream entries the services gave up on. They carry
// the administrator id of --admin (env TELEDERM_ADMIN). Each returns the exit code.
int RunDeadLetters(const CommandLine& line, const CommandContext& context);
int RunDeadLetter(const CommandLine& line, const CommandContext& context);
int RunReplay(const CommandLine& line, const CommandContext& context);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_DEAD_LETTER_COMMANDS_H_
