#ifndef TELEDERM_TOOLS_CLI_SCREENING_COMMANDS_H_
#define TELEDERM_TOOLS_CLI_SCREENING_COMMANDS_H_

#include <string>

#include "telederm/v1/referral.pb.h"
#include "tools/cli/cli_args.h"
#include "tools/cli/command_context.h"

namespace telederm::cli {

// `telederm screening-report [--from DATE] [--to DATE]` (administrators), against
// AdminService.GetScreeningReport: a table, or the report as one JSON line with --json.
// Returns the exit code.
int RunScreeningReport(const CommandLine& line, const CommandContext& context);

// The report as docs/CLI.md shows it: a window line, a count line, the tiers'
// table and the groups' table (GROUP last: an analyzer's name has a space).
std::string FormatScreeningReport(const v1::ScreeningReport& report);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_SCREENING_COMMANDS_H_
