// The commands and flags of `telederm`, and the usage text made from them.
#include <algorithm>
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
      {"admin", "ID", "calling administrator, for admin commands (env TELEDERM_ADMIN)"},
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
       {{"pretty", nullptr, "indent the JSON for reading"},
        {"reason", "TEXT", "administrators only (break glass): why you need this record; it is audited"}}},
      {"image", "CASE_ID", "write the case's images into a directory, checked against their SHA-256",
       Identity::kClinicOrSpecialist,
       {{"out", "DIR", "where to write them (default: the current directory)"},
        {"thumbnail", nullptr, "the 256-pixel JPEG thumbnails instead of the originals"}}},
      {"dicom", "CASE_ID", "write the case's images as DICOM files for a PACS (docs/DICOM.md)", Identity::kClinic,
       {{"out", "DIR", "where to write them (default: the current directory)"}}},
      {"queue", nullptr, "list queued cases of the specialist's pools, earliest due first",
       Identity::kSpecialist,
       {{"pool", "P", "only this pool"},
        {"limit", "N", "at most N entries (default: all)"},
        {"tier", "T", "only this tier: urgent|soon|routine"},
        {"overdue", nullptr, "only cases past their due time"},
        {"clinic", "ID", "only this clinic's cases"}}},
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
      {"message", "CASE_ID", "send a message in the case's consult thread (a clinic's answers a question)",
       Identity::kClinicOrSpecialist,
       {{"text", "TEXT", "the message"},
        {"image", "FILE:MODALITY[:PIXEL_MM]", "clinics: attach an image (uploaded first; repeatable)", true},
        {"token", "N", "specialists: fencing token of the claim"}}},
      {"messages", "CASE_ID", "show the case's consult thread with read receipts", Identity::kClinicOrSpecialist,
       {}},
      {"read", "CASE_ID", "mark the other side's messages read up to one", Identity::kClinicOrSpecialist,
       {{"message", "MESSAGE_ID", "the last message read"}}},
      {"ack", "CASE_ID", "acknowledge the report: the case is closed", Identity::kClinic, {}},
      {"ask", "CASE_ID", "ask the clinic a question: the case waits (needs_info), its clock paused",
       Identity::kSpecialist, {{"token", "N", "fencing token of the claim"}, {"text", "TEXT", "the question"}}},
      {"draft", "CASE_ID", "save a draft report on a claimed case (any field may be missing)",
       Identity::kSpecialist,
       {{"token", "N", "fencing token of the claim"},
        {"diagnosis", "TEXT", "diagnosis in words"},
        {"icd10", "CODE", "ICD-10 code"},
        {"management", "M", "reassure|treat|biopsy|excise|urgent-referral|follow-up-photo"},
        {"interval", "N", "days or weeks"},
        {"follow-up", "TEXT", "follow-up instructions"},
        {"note", "TEXT", "free text for the clinic"}}},
      {"second-opinion", "CASE_ID", "hand a claimed case to another pool or a colleague, with a note",
       Identity::kSpecialist,
       {{"token", "N", "fencing token of the claim"},
        {"pool", "P", "the pool to ask"},
        {"colleague", "ID", "the specialist to ask"},
        {"note", "TEXT", "what you would like a second opinion on"}}},
      {"reassign", "CASE_ID", "supervisors: move a queued or claimed case to another pool or specialist",
       Identity::kSpecialist,
       {{"pool", "P", "the pool to move it to"},
        {"to-specialist", "ID", "the specialist to move it to"},
        {"note", "TEXT", "why"}}},
      {"biopsy", "CASE_ID", "record the biopsy outcome of a reported case", Identity::kSpecialist,
       {{"histology", "TEXT", "the histology in words"}, {"icd10", "CODE", "ICD-10 code of the histology"}}},
      {"watch-queue", nullptr, "print queue changes of the specialist's pools as they happen (and escalations "
       "to a supervisor)", Identity::kSpecialist,
       {{"pool", "P", "only this pool"}, {"timeout", "DURATION", "stop after this long (default: none)"}}},
      {"pool-put", "NAME", "admin: create or change a pool", Identity::kAdmin,
       {{"specialty", "S", "general|oncology|paediatric"},
        {"regions", "A,B", "clinics' regions it serves (default: all)"},
        {"languages", "A,B", "languages it works in (default: any)"},
        {"description", "TEXT", "what the pool is"}}},
      {"pools", nullptr, "admin: list the pools", Identity::kAdmin, {}},
      {"specialist-put", "ID", "admin: create or change a specialist's profile", Identity::kAdmin,
       {{"pools", "A,B", "the pools they work in"},
        {"supervises", "A,B", "the pools they supervise"},
        {"languages", "A,B", "languages they work in"},
        {"name", "TEXT", "display name"}}},
      {"specialists", nullptr, "admin: list specialists", Identity::kAdmin, {{"pool", "P", "only this pool's"}}},
      {"specialist-delete", "ID", "admin: remove a specialist's profile", Identity::kAdmin, {}},
      {"clinic-put", "ID", "admin: set a clinic's region and language for routing", Identity::kAdmin,
       {{"region", "R", "the clinic's region"}, {"language", "L", "the clinic's language, e.g. en"}}},
      {"clinics", nullptr, "admin: list clinics' routing attributes", Identity::kAdmin, {}},
      {"screening-report", nullptr, "admin: the pre-screening measured against recorded biopsy outcomes",
       Identity::kAdmin,
       {{"from", "DATE", "only cases received on or after this UTC day, YYYY-MM-DD"},
        {"to", "DATE", "only cases received on or before this UTC day, YYYY-MM-DD"}}},
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
    // Long names (specialist-delete) keep a space before their summary.
    left.resize(std::max<size_t>(14, left.size() + 1), ' ');
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
