#include "tools/cli/command_context.h"

#include "absl/strings/str_cat.h"

namespace telederm::cli {

void CommandContext::Print(absl::string_view line) const { *out << line << '\n' << std::flush; }

int UsageFailure(const CommandContext& context, const absl::Status& status) {
  *context.err << "error: " << status.message() << '\n';
  if (context.command != nullptr) {
    *context.err << "run 'telederm " << context.command->name << " --help' for usage\n";
  }
  return kExitUsage;
}

int CallFailure(const CommandContext& context, const grpc::Status& status, const Endpoint& endpoint) {
  *context.err << DescribeFailure(status, endpoint) << '\n';
  return kExitFailure;
}

int LocalFailure(const CommandContext& context, const absl::Status& status) {
  *context.err << "error: " << absl::StatusCodeToString(status.code()) << ": " << status.message() << '\n';
  return kExitFailure;
}

}  // namespace telederm::cli
