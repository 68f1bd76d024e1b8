// `telederm`: the command-line client. See docs/CLI.md.
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "tools/cli/admin_commands.h"
#include "tools/cli/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto env = [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  if (!args.empty() && args[0] == "admin") {
    return telederm::cli::RunAdminCommand({args.begin() + 1, args.end()}, env, std::cout, std::cerr);
  }
  return telederm::cli::RunCli(args, env, std::cout, std::cerr);
}
