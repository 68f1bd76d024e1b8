#ifndef TELEDERM_TOOLS_CLI_DIRECTORY_COMMANDS_H_
#define TELEDERM_TOOLS_CLI_DIRECTORY_COMMANDS_H_

#include "tools/cli/cli_args.h"
#include "tools/cli/command_context.h"

namespace telederm::cli {

// The directory commands (administrators), against AdminService (served by telederm-referral):
// specialists' profiles, pools and clinics' routing attributes. Each returns the exit code.
int RunPoolPut(const CommandLine& line, const CommandContext& context);
int RunPools(const CommandLine& line, const CommandContext& context);
int RunSpecialistPut(const CommandLine& line, const CommandContext& context);
int RunSpecialists(const CommandLine& line, const CommandContext& context);
int RunSpecialistDelete(const CommandLine& line, const CommandContext& context);
int RunClinicPut(const CommandLine& line, const CommandContext& context);
int RunClinics(const CommandLine& line, const CommandContext& context);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_DIRECTORY_COMMANDS_H_
