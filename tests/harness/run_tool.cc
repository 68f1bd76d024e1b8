#include "tests/harness/run_tool.h"

#include "tests/harness/child_process.h"

namespace telederm::testing {

absl::StatusOr<int> RunTool(std::vector<std::string> argv, const std::string& log_path, absl::Duration timeout) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> tool = ChildProcess::Spawn(std::move(argv), {}, log_path);
  if (!tool.ok()) return tool.status();
  return (*tool)->Wait(timeout);
}

}  // namespace telederm::testing
