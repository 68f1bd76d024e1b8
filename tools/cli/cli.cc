#include "tools/cli/cli.h"

#include <map>
#include <string_view>

#include "absl/status/statusor.h"
#include "tools/cli/channel.h"
#include "tools/cli/clinic_commands.h"
#include "tools/cli/command_context.h"
#include "tools/cli/export_commands.h"
#include "tools/cli/image_commands.h"
#include "tools/cli/consult_commands.h"
#include "tools/cli/directory_commands.h"
#include "tools/cli/dead_letter_commands.h"
#include "tools/cli/dicom_commands.h"
#include "tools/cli/screening_commands.h"
#include "tools/cli/specialist_commands.h"
#include "tools/cli/triage_commands.h"

namespace telederm::cli {
namespace {

using CommandFn = int (*)(const CommandLine&, const CommandContext&);

CommandFn Handler(std::string_view name) {
  static const auto* const kHandlers = new std::map<std::string_view, CommandFn>{
      {"upload", RunUpload},     {"submit", RunSubmit}, {"case", RunCase},         {"cases", RunCases},
      {"watch", RunWatch},       {"triage", RunTriage}, {"analyzers", RunAnalyzers}, {"queue", RunQueue},
      {"claim", RunClaim},       {"extend", RunExtend}, {"release", RunRelease},   {"report", RunReport},
      {"message", RunMessage},   {"messages", RunMessages}, {"read", RunRead},     {"ack", RunAck},
      {"ask", RunAsk},           {"draft", RunDraft},   {"second-opinion", RunSecondOpinion},
      {"reassign", RunReassign}, {"biopsy", RunBiopsy}, {"watch-queue", RunWatchQueue},
      {"pool-put", RunPoolPut},  {"pools", RunPools},   {"specialist-put", RunSpecialistPut},
      {"specialists", RunSpecialists}, {"specialist-delete", RunSpecialistDelete},
      {"clinic-put", RunClinicPut}, {"clinics", RunClinics}, {"screening-report", RunScreeningReport},
      {"dead-letters", RunDeadLetters}, {"dead-letter", RunDeadLetter}, {"replay", RunReplay},
      {"fhir", RunFhir},         {"image", RunImage},   {"dicom", RunDicom},
  };
  auto it = kHandlers->find(name);
  return it == kHandlers->end() ? nullptr : it->second;
}

}  // namespace

int RunCli(const std::vector<std::string>& args, const EnvLookup& env, std::ostream& out, std::ostream& err) {
  // `telederm help [COMMAND]` reads as `telederm [COMMAND] --help`.
  std::vector<std::string> effective = args;
  if (!effective.empty() && effective.front() == "help") {
    effective.erase(effective.begin());
    effective.push_back("--help");
  }
  absl::StatusOr<CommandLine> line = ParseCommandLine(effective);
  if (!line.ok()) {
    err << "error: " << line.status().message() << "\n\n";
    const CommandSpec* command = nullptr;
    for (const std::string& arg : effective) {
      if ((command = FindCommand(arg)) != nullptr) break;
    }
    err << (command != nullptr ? CommandUsage(*command) : GeneralUsage());
    return kExitUsage;
  }
  if (line->help()) {
    out << (line->command() != nullptr ? CommandUsage(*line->command()) : GeneralUsage());
    return kExitOk;
  }
  if (line->command() == nullptr) {
    err << "error: no command given\n\n" << GeneralUsage();
    return kExitUsage;
  }

  CommandContext context;
  context.command = line->command();
  context.out = &out;
  context.err = &err;
  absl::StatusOr<GlobalOptions> options = ResolveGlobalOptions(*line, env);
  if (!options.ok()) return UsageFailure(context, options.status());
  context.options = *options;
  if (absl::Status secured = ConfigureChannelSecurity(context.options); !secured.ok()) {
    return UsageFailure(context, secured);
  }
  absl::StatusOr<CallIdentity> identity = IdentityFor(*line->command(), context.options);
  if (!identity.ok()) return UsageFailure(context, identity.status());
  context.identity = *identity;

  CommandFn handler = Handler(line->command()->name);
  if (handler == nullptr) {  // The command table and the handlers disagree: a bug here.
    err << "error: INTERNAL: command '" << line->command()->name << "' has no handler\n";
    return kExitFailure;
  }
  return handler(*line, context);
}

}  // namespace telederm::cli
