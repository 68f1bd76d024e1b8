#ifndef TELEDERM_TOOLS_CLI_CLI_ARGS_H_
#define TELEDERM_TOOLS_CLI_CLI_ARGS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace telederm::cli {

// Exit codes of the `telederm` binary (documented in docs/CLI.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // a service refused or failed the request, or a timeout
inline constexpr int kExitUsage = 2;    // the command line itself is wrong

struct FlagSpec {
  const char* name;        // without the leading "--"
  const char* value_name;  // nullptr for a boolean flag
  const char* help;
  bool repeatable = false;
};

// Whose identity a command's calls carry.
enum class Identity { kNone, kClinic, kSpecialist, kClinicOrSpecialist, kAdmin };

struct CommandSpec {
  const char* name;
  const char* positional;  // the one positional argument, e.g. "FILE"; nullptr for none
  const char* summary;
  Identity identity;
  std::vector<FlagSpec> flags;
};

// Every command the CLI knows, in the order `telederm --help` lists them.
const std::vector<CommandSpec>& Commands();
// Flags every command accepts, before or after the command name.
const std::vector<FlagSpec>& GlobalFlags();
// nullptr when there is no such command.
const CommandSpec* FindCommand(absl::string_view name);

std::string GeneralUsage();
std::string CommandUsage(const CommandSpec& command);

// A parsed command line: the command, its positional argument and the flags as given.
// Values are kept as text; typed accessors below check and convert them.
class CommandLine {
 public:
  // nullptr when no command was named (only `--help`, or nothing at all).
  const CommandSpec* command() const { return command_; }
  bool help() const { return help_; }
  // The positional argument, or an empty optional.
  const std::optional<std::string>& positional() const { return positional_; }

  bool Has(absl::string_view flag) const;
  // The last value of `flag`, or an empty optional when it was not given.
  std::optional<std::string> Value(absl::string_view flag) const;
  // Every value of a repeatable flag, in order.
  std::vector<std::string> Values(absl::string_view flag) const;

 private:
  friend absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args);
  const CommandSpec* command_ = nullptr;
  bool help_ = false;
  std::optional<std::string> positional_;
  std::map<std::string, std::vector<std::string>, std::less<>> flags_;
};

// Parses `args` (without the program name). INVALID_ARGUMENT for an unknown command,
// an unknown flag, a missing value, a flag given twice or a stray argument; the message
// says which. `--flag VALUE` and `--flag=VALUE` are both accepted. `--help` anywhere
// makes help() true and skips the positional-argument check.
absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args);

// Typed access to flag values; each error is INVALID_ARGUMENT naming the flag.
absl::StatusOr<std::string> RequiredValue(const CommandLine& line, absl::string_view flag);
absl::StatusOr<std::string> RequiredPositional(const CommandLine& line);
// `fallback` when the flag is absent; otherwise an integer within [min, max].
absl::StatusOr<int64_t> IntValue(const CommandLine& line, absl::string_view flag, int64_t fallback,
                                 int64_t min, int64_t max);
absl::StatusOr<double> DoubleValue(const CommandLine& line, absl::string_view flag, double fallback);
// A Go-style duration such as "30s", "2m", "1h30m".
absl::StatusOr<absl::Duration> DurationValue(const CommandLine& line, absl::string_view flag,
                                             absl::Duration fallback);

// Where the services are and who is calling, from flags, then the environment, then defaults.
struct GlobalOptions {
  std::string intake_address = "127.0.0.1:50051";
  std::string triage_address = "127.0.0.1:50052";
  std::string referral_address = "127.0.0.1:50053";
  std::string clinic_id;
  std::string specialist_id;
  std::string admin_id;  // administrator commands (AdminService)
  std::string pools;  // comma-separated; empty: the service's default
  bool json = false;
  absl::Duration deadline = absl::Seconds(30);
  // Security (tools/cli/channel.h): a bearer token sent on every call, and TLS.
  std::string auth_token;        // --auth-token / TELEDERM_AUTH_TOKEN (or --auth-token-file)
  std::string ca_cert_file;      // --ca-cert / TELEDERM_CA_CERT: TLS, trusting this CA
  std::string client_cert_file;  // --client-cert / TELEDERM_CLIENT_CERT: mutual TLS
  std::string client_key_file;   // --client-key / TELEDERM_CLIENT_KEY
  bool tls = false;              // --tls: TLS with the system's CAs (implied by --ca-cert)
};

// Looks up an environment variable; an empty optional when it is not set.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

absl::StatusOr<GlobalOptions> ResolveGlobalOptions(const CommandLine& line, const EnvLookup& env);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_CLI_ARGS_H_
