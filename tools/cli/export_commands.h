#ifndef TELEDERM_TOOLS_CLI_EXPORT_COMMANDS_H_
#define TELEDERM_TOOLS_CLI_EXPORT_COMMANDS_H_

#include "tools/cli/cli_args.h"
#include "tools/cli/command_context.h"

namespace telederm::cli {

// `telederm fhir CASE_ID`: the case as a FHIR R4 Bundle (docs/FHIR.md), from
// intake for a clinic, from referral for a specialist. Prints the bundle as
// one line of JSON, or indented with --pretty; --json prints the same line.
int RunFhir(const CommandLine& line, const CommandContext& context);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_EXPORT_COMMANDS_H_
