#ifndef TELEDERM_TOOLS_CLI_DICOM_COMMANDS_H_
#define TELEDERM_TOOLS_CLI_DICOM_COMMANDS_H_

#include "tools/cli/cli_args.h"
#include "tools/cli/command_context.h"

namespace telederm::cli {

// `telederm dicom CASE_ID --out DIR`: writes each image of one of the
// clinic's cases into DIR as <sha256>.dcm for a hospital PACS (docs/DICOM.md):
// Dermoscopic Photography Image Storage for dermoscopy, VL Photographic for
// the others, with the case's pseudonymous patient reference as Patient ID
// and no other patient attribute. The case comes from intake's GetCase, the
// bytes from its ImageService, checked against their SHA-256. Prints one
// line per file.
int RunDicom(const CommandLine& line, const CommandContext& context);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_DICOM_COMMANDS_H_
