#ifndef TELEDERM_TOOLS_CLI_ADMIN_COMMANDS_H_
#define TELEDERM_TOOLS_CLI_ADMIN_COMMANDS_H_

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace telederm::cli {

// `telederm admin SUBCOMMAND ...`, the operators' security commands (docs/SECURITY.md):
//   issue-token  --keys FILE --role ROLE --subject ID [--clinic ID] [--pools A,B] [--ttl 12h]
//                prints a signed bearer token (its id and expiry go to stderr)
//   revoke-token --token-id JTI [--expires-at UNIX_SECONDS]
//   audit        --case ID | --user SUBJECT [--limit N] [--before ID]
// revoke-token and audit call the SecurityService (--service HOST:PORT, default the
// referral service) with the global --auth-token, --ca-cert, --client-cert/--client-key
// and --tls flags or their TELEDERM_* variables. `args` starts after "admin".
int RunAdminCommand(const std::vector<std::string>& args,
                    const std::function<std::optional<std::string>(const char*)>& env, std::ostream& out,
                    std::ostream& err);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_ADMIN_COMMANDS_H_
