#ifndef TELEDERM_TOOLS_CLI_IMAGE_COMMANDS_H_
#define TELEDERM_TOOLS_CLI_IMAGE_COMMANDS_H_

#include "tools/cli/cli_args.h"
#include "tools/cli/command_context.h"

namespace telederm::cli {

// `telederm image CASE_ID [--out DIR] [--thumbnail]`: writes every image of
// the case (its submission's, then its consult thread's attachments) into
// DIR as <sha256>.jpg or .png (thumbnails <sha256>.thumb.jpg), through
// intake's ImageService. The case's images are listed as the caller reads a
// case: a clinic with GetCase and ListMessages from intake, a specialist
// with the FHIR export and ListMessages from referral. Each file is written
// as <name>.part, resumed from its size when it is there, checked against
// its SHA-256 and only then renamed to its name; an original already there
// with the right digest is kept. Prints one line per image.
int RunImage(const CommandLine& line, const CommandContext& context);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_IMAGE_COMMANDS_H_
