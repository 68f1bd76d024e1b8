// The commands and flags of `telederm`, and the usage text made from them.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/cli/cli_args.h"

namespace telederm::cli {

const std::vector<FlagSpec>& GlobalFlags() {
  static const auto* const kFlags = new std::vector<FlagSpec>{
      {"intake", "HOST:PORT", "intake service (env TELEDERM_INTAKE, default 127.0.0.1:50051)"},
      {"triage", "HOST:PORT", "triage service (env TELEDERM_TRIAGE, default 127.0.0.1:50052)"},
      {"referral", "HOST:PORT", "referral service (env TELEDERM_REFERRAL, default 127.0.0.1:50053)"},
      {"clinic", "ID", "calling clinic, for clinic commands (env TELEDERM_CLINIC)"},
      {"specialist", "ID", "calling specialist, for specialist commands (env TELEDERM_SPECIALIST)"},
      {"pools", "A,B", "the specialist's pools (env TELEDERM_POOLS; default: the service's)"},
      {"json", nullptr, "machine-readable output: one JSON object per line"},
      {"deadline", "DURATION", "deadline of each call (default 30s)"},
      {"auth-token", "TOKEN", "bearer token sent on every call (env TELEDERM_AUTH_TOKEN)"},
      {"auth-token-file", "FILE", "read the bearer token from FILE"},
      {"ca-cert", "FILE", "TLS: trust this CA's server certificates (env TELEDERM_CA_CERT)"},
      {"client-cert", "FILE", "mutual TLS: this device's certificate (env TELEDERM_CLIENT_CERT)"},
      {"client-key", "FILE", "mutual TLS: its private key (env TELEDERM_CLIENT_KEY)"},
      {"tls", nullptr, "TLS with the system's CAs (implied by --ca-cert); without either, plaintext"},
      {"help", nullptr, "print usage and exit"},
  };
  return *kFlags;
}

const std::vector<CommandSpec>& Commands() {
  static const auto* const kCommands = new std::vector<CommandSpec>{
      {"upload", "FILE", "upload one image and show the quality gate's findings", Identity::kClinic,
       {{"modality", "M", "dermoscopy|clinical-overview|clinical-close-up|confocal|ultrasound"}}},
      {"submit", nullptr, "upload the images and submit a case; prints the case id", Identity::kClinic,
       {{"type", "T", "tumour|rash|acne|other"},
        {"acne-grade", "N", "acne severity 1 (mild) .. 4 (severe); only with --type acne"},
        {"patient", "REF", "the clinic's pseudonymous patient reference"},
        {"age", "N", "age in years"},
        {"sex", "S", "female|male|other|unknown"},
        {"fitzpatrick", "N", "Fitzpatrick skin type 1..6 (optional)"},
        {"risk", "LIST",
         "comma-separated: personal-melanoma,family-melanoma,immunosuppressed,many-naevi,sunburn"},
        {"site", "SITE",
         "scalp|face|ear|neck|chest|abdomen|back|upper-arm|forearm|hand|thigh|lower-leg|foot|"
         "genital|nail|mucosa|other"},
        {"diameter-mm", "X", "largest diameter in millimetres (optional)"},
        {"duration-days", "N", "how long the lesion has been present (optional)"},
        {"evolved", "LIST", "comma-separated: size,shape,colour"},
        {"symptoms", "LIST", "comma-separated: itch,bleeding,pain,ulceration,new,inflammation"},
        {"question", "TEXT", "the clinical question for the dermatologist"},
        {"consent", nullptr, "the patient consented to a teleconsultation (required)"},
        {"idempotency-key", "K", "default: derived from the submission, so a retry is not a new case"},
        {"image", "FILE:MODALITY[:PIXEL_MM]", "an image of the case (repeatable)", true}}},
      {"case", "CASE_ID", "show one of the clinic's cases", Identity::kClinic, {}},
      {"cases", nullptr, "list the clinic's cases, newest first", Identity::kClinic, {}},
      {"watch", nullptr, "print the clinic's case events as they arrive", Identity::kClinic,
       {{"after", "EVENT_ID", "resume after this event (default: from the oldest kept)"},
        {"until-reported", "CASE_ID", "exit 0 once this case's report arrives"},
        {"timeout", "DURATION", "stop after this long (default 60s with --until-reported, else none)"}}},
      {"triage", "CASE_ID", "show the pre-screening result of a case", Identity::kClinicOrSpecialist, {}},
      {"analyzers", nullptr, "list the triage service's analyzers", Identity::kClinicOrSpecialist, {}},
      {"fhir", "CASE_ID", "export a case as a FHIR R4 Bundle (JSON; docs/FHIR.md)", Identity::kClinicOrSpecialist,
       {{"pretty", nullptr, "indent the JSON for reading"}}},
      {"queue", nullptr, "list queued cases of the specialist's pools, earliest due first",
       Identity::kSpecialist,
       {{"pool", "P", "only this pool"}, {"limit", "N", "at most N entries (default: all)"}}},
      {"claim", nullptr, "claim the earliest-due case and show it", Identity::kSpecialist,
       {{"pool", "P", "only from this pool"}}},
      {"extend", "CASE_ID", "renew the lease of a claimed case", Identity::kSpecialist,
       {{"token", "N", "fencing token of the claim"}}},
      {"release", "CASE_ID", "give a claimed case back to the queue", Identity::kSpecialist,
       {{"token", "N", "fencing token of the claim"}}},
      {"report", "CASE_ID", "submit the report of a claimed case", Identity::kSpecialist,
       {{"token", "N", "fencing token of the claim"},
        {"diagnosis", "TEXT", "diagnosis in words"},
        {"icd10", "CODE", "ICD-10 code, e.g. C43.5"},
        {"management", "M", "reassure|treat|biopsy|excise|urgent-referral|follow-up-photo"},
        {"interval", "N", "days (urgent-referral) or weeks (follow-up-photo)"},
        {"follow-up", "TEXT", "follow-up instructions"},
        {"note", "TEXT", "free text for the clinic"}}},
      {"dead-letters", nullptr, "list stream entries the services gave up on (operators)", Identity::kNone,
       {{"admin", "ID", "calling administrator (env TELEDERM_ADMIN)"},
        {"stream", "S", "stream:intake or stream:triaged (default: both)"}}},
      {"dead-letter", "ID", "show one dead letter (operators)", Identity::kNone,
       {{"admin", "ID", "calling administrator (env TELEDERM_ADMIN)"}, {"stream", "S", "its stream"}}},
      {"replay", "ID", "put a dead letter back on its stream, once its cause is fixed (operators)",
       Identity::kNone,
       {{"admin", "ID", "calling administrator (env TELEDERM_ADMIN)"}, {"stream", "S", "its stream"}}},
  };
  return *kCommands;
}

const CommandSpec* FindCommand(absl::string_view name) {
  for (const CommandSpec& command : Commands()) {
    if (name == command.name) return &command;
  }
  return nullptr;
}

namespace {

void AppendFlagLines(const std::vector<FlagSpec>& flags, std::string& text) {
  for (const FlagSpec& flag : flags) {
    std::string left = absl::StrCat("  --", flag.name);
    if (flag.value_name != nullptr) absl::StrAppend(&left, " ", flag.value_name);
    if (left.size() < 36) left.resize(36, ' ');
    else absl::StrAppend(&left, "\n", std::string(36, ' '));
    absl::StrAppend(&text, left, flag.help, "\n");
  }
}

}  // namespace

std::string GeneralUsage() {
  std::string text = "usage: telederm [global flags] COMMAND [flags]\n\ncommands:\n";
  for (const CommandSpec& command : Commands()) {
    std::string left = absl::StrCat("  ", command.name);
    left.resize(14, ' ');
    absl::StrAppend(&text, left, command.summary, "\n");
  }
  absl::StrAppend(&text, "\nglobal flags:\n");
  AppendFlagLines(GlobalFlags(), text);
  absl::StrAppend(&text, "\n`telederm COMMAND --help` shows a command's flags.\n");
  return text;
}

std::string CommandUsage(const CommandSpec& command) {
  std::string text = absl::StrCat("usage: telederm ", command.name);
  if (command.positional != nullptr) absl::StrAppend(&text, " ", command.positional);
  if (!command.flags.empty()) absl::StrAppend(&text, " [flags]");
  absl::StrAppend(&text, "\n\n", command.summary, "\n");
  if (!command.flags.empty()) {
    absl::StrAppend(&text, "\nflags:\n");
    AppendFlagLines(command.flags, text);
  }
  absl::StrAppend(&text, "\nglobal flags:\n");
  AppendFlagLines(GlobalFlags(), text);
  return text;
}

}  // namespace telederm::cli
