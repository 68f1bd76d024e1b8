#include "tools/cli/cli_args.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"

namespace telederm::cli {
namespace {

const FlagSpec* FindFlag(const std::vector<FlagSpec>& flags, absl::string_view name) {
  for (const FlagSpec& flag : flags) {
    if (name == flag.name) return &flag;
  }
  return nullptr;
}

absl::Status FlagError(absl::string_view flag, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", problem));
}

}  // namespace

bool CommandLine::Has(absl::string_view flag) const { return flags_.find(flag) != flags_.end(); }

std::optional<std::string> CommandLine::Value(absl::string_view flag) const {
  auto it = flags_.find(flag);
  if (it == flags_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> CommandLine::Values(absl::string_view flag) const {
  auto it = flags_.find(flag);
  if (it == flags_.end()) return {};
  return it->second;
}

absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args) {
  CommandLine line;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!absl::StartsWith(arg, "--")) {
      if (line.command_ == nullptr) {
        line.command_ = FindCommand(arg);
        if (line.command_ == nullptr) {
          return absl::InvalidArgumentError(absl::StrCat("unknown command '", arg, "'"));
        }
      } else if (line.command_->positional != nullptr && !line.positional_.has_value()) {
        line.positional_ = arg;
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("unexpected argument '", arg, "' for '", line.command_->name, "'"));
      }
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    const FlagSpec* spec = FindFlag(GlobalFlags(), name);
    if (spec == nullptr && line.command_ != nullptr) spec = FindFlag(line.command_->flags, name);
    if (spec == nullptr) {
      if (line.command_ == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            "unknown flag --", name, " (a command's own flags go after the command name)"));
      }
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", name, " for '", line.command_->name, "'"));
    }
    if (spec->value_name == nullptr) {
      if (value.has_value()) return FlagError(name, "takes no value");
      value = "true";
    } else if (!value.has_value()) {
      if (i + 1 >= args.size()) return FlagError(name, absl::StrCat("needs a value (", spec->value_name, ")"));
      value = args[++i];
    }
    std::vector<std::string>& values = line.flags_[name];
    if (!values.empty() && !spec->repeatable && spec->value_name != nullptr) {
      return FlagError(name, "given more than once");
    }
    values.push_back(*std::move(value));
    if (name == "help") line.help_ = true;
  }
  if (!line.help_ && line.command_ != nullptr && line.command_->positional != nullptr &&
      !line.positional_.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", line.command_->name, "' needs ", line.command_->positional));
  }
  return line;
}

absl::StatusOr<std::string> RequiredValue(const CommandLine& line, absl::string_view flag) {
  std::optional<std::string> value = line.Value(flag);
  if (!value.has_value()) return FlagError(flag, "is required");
  return *value;
}

absl::StatusOr<std::string> RequiredPositional(const CommandLine& line) {
  if (!line.positional().has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("missing ", line.command() != nullptr &&
                                                                   line.command()->positional != nullptr
                                                               ? line.command()->positional
                                                               : "argument"));
  }
  return *line.positional();
}

absl::StatusOr<int64_t> IntValue(const CommandLine& line, absl::string_view flag, int64_t fallback,
                                 int64_t min, int64_t max) {
  std::optional<std::string> text = line.Value(flag);
  if (!text.has_value()) return fallback;
  int64_t value = 0;
  if (!absl::SimpleAtoi(*text, &value)) {
    return FlagError(flag, absl::StrCat("'", *text, "' is not a whole number"));
  }
  if (value < min || value > max) {
    return FlagError(flag, absl::StrCat(value, " is out of range ", min, "..", max));
  }
  return value;
}

absl::StatusOr<double> DoubleValue(const CommandLine& line, absl::string_view flag, double fallback) {
  std::optional<std::string> text = line.Value(flag);
  if (!text.has_value()) return fallback;
  double value = 0;
  if (!absl::SimpleAtod(*text, &value) || !std::isfinite(value)) {
    return FlagError(flag, absl::StrCat("'", *text, "' is not a number"));
  }
  return value;
}

absl::StatusOr<absl::Duration> DurationValue(const CommandLine& line, absl::string_view flag,
                                             absl::Duration fallback) {
  std::optional<std::string> text = line.Value(flag);
  if (!text.has_value()) return fallback;
  absl::Duration value;
  if (!absl::ParseDuration(*text, &value) || value <= absl::ZeroDuration() ||
      value == absl::InfiniteDuration()) {
    return FlagError(flag, absl::StrCat("'", *text, "' is not a positive duration such as 30s or 2m"));
  }
  return value;
}

absl::StatusOr<GlobalOptions> ResolveGlobalOptions(const CommandLine& line, const EnvLookup& env) {
  GlobalOptions options;
  auto resolve = [&](const char* flag, const char* variable, std::string& target) {
    if (std::optional<std::string> value = line.Value(flag)) {
      target = *value;
    } else if (std::optional<std::string> from_env = env(variable); from_env && !from_env->empty()) {
      target = *from_env;
    }
  };
  resolve("intake", "TELEDERM_INTAKE", options.intake_address);
  resolve("triage", "TELEDERM_TRIAGE", options.triage_address);
  resolve("referral", "TELEDERM_REFERRAL", options.referral_address);
  resolve("clinic", "TELEDERM_CLINIC", options.clinic_id);
  resolve("specialist", "TELEDERM_SPECIALIST", options.specialist_id);
  resolve("admin", "TELEDERM_ADMIN", options.admin_id);
  resolve("pools", "TELEDERM_POOLS", options.pools);
  options.json = line.Has("json");
  resolve("auth-token", "TELEDERM_AUTH_TOKEN", options.auth_token);
  if (std::optional<std::string> file = line.Value("auth-token-file")) {
    std::ifstream in(*file);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return FlagError("auth-token-file", absl::StrCat("cannot read ", *file));
    options.auth_token = std::string(absl::StripAsciiWhitespace(text.str()));
  }
  resolve("ca-cert", "TELEDERM_CA_CERT", options.ca_cert_file);
  resolve("client-cert", "TELEDERM_CLIENT_CERT", options.client_cert_file);
  resolve("client-key", "TELEDERM_CLIENT_KEY", options.client_key_file);
  options.tls = line.Has("tls") || !options.ca_cert_file.empty();
  if (options.client_cert_file.empty() != options.client_key_file.empty()) {
    return FlagError("client-cert", "give --client-cert and --client-key together");
  }
  absl::StatusOr<absl::Duration> deadline = DurationValue(line, "deadline", options.deadline);
  if (!deadline.ok()) return deadline.status();
  options.deadline = *deadline;
  return options;
}

}  // namespace telederm::cli
