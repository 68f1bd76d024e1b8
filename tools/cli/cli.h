#ifndef TELEDERM_TOOLS_CLI_CLI_H_
#define TELEDERM_TOOLS_CLI_CLI_H_

#include <ostream>
#include <string>
#include <vector>

#include "tools/cli/cli_args.h"

namespace telederm::cli {

// Runs `telederm` with `args` (without the program name) and returns its exit code:
// kExitOk, kExitFailure or kExitUsage. Usage goes to `out` when asked for with --help,
// to `err` with the error otherwise. Commands that need no service (help, usage errors)
// never open a channel.
int RunCli(const std::vector<std::string>& args, const EnvLookup& env, std::ostream& out, std::ostream& err);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_CLI_H_
