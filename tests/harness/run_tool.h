#ifndef TELEDERM_TESTS_HARNESS_RUN_TOOL_H_
#define TELEDERM_TESTS_HARNESS_RUN_TOOL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace telederm::testing {

// Runs a command-line tool (argv[0] searched in PATH, e.g. DCMTK's img2dcm)
// to completion; its stdout and stderr are appended to `log_path`. Returns
// its exit code; NOT_FOUND when it cannot be started, DEADLINE_EXCEEDED when
// it runs longer than `timeout` (it is then killed).
absl::StatusOr<int> RunTool(std::vector<std::string> argv, const std::string& log_path,
                            absl::Duration timeout = absl::Seconds(60));

}  // namespace telederm::testing

#endif  // TELEDERM_TESTS_HARNESS_RUN_TOOL_H_
