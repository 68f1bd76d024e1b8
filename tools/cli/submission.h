#ifndef TELEDERM_TOOLS_CLI_SUBMISSION_H_
#define TELEDERM_TOOLS_CLI_SUBMISSION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "telederm/v1/case.pb.h"
#include "tools/cli/cli_args.h"

namespace telederm::cli {

// One --image FILE:MODALITY[:PIXEL_MM] argument.
struct ImageSpec {
  std::string path;
  v1::Modality modality = v1::MODALITY_UNSPECIFIED;
  double pixel_size_mm = 0;  // 0: unknown
};

// Splits from the right, so FILE may itself contain ':'. INVALID_ARGUMENT names the
// part that is wrong: a missing or unknown modality, a pixel size that is not a
// number in (0, 10].
absl::StatusOr<ImageSpec> ParseImageSpec(absl::string_view text);

// The CaseSubmission the flags of `submit` describe, without images (the caller adds
// them once they are read and hashed). INVALID_ARGUMENT, naming the flag, for a missing
// required flag or a value that does not parse; range limits of the contract are left
// to the intake service, which names the field it refuses.
absl::StatusOr<v1::CaseSubmission> BuildCaseSubmission(const CommandLine& line);

// "cli-" and the SHA-256 of the clinic id and the deterministic serialization of
// `submission`: the same command retried gives the same key, so intake returns the
// case it already created instead of a second one; any change to the case gives a new key.
std::string IdempotencyKeyFor(absl::string_view clinic_id, const v1::CaseSubmission& submission);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_SUBMISSION_H_
