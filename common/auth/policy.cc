#include "common/auth/policy.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace telederm::auth {
namespace {

constexpr unsigned kClinic = RoleBit(Role::kClinic);
constexpr unsigned kSpecialist = RoleBit(Role::kSpecialist);
constexpr unsigned kSupervisor = RoleBit(Role::kSupervisor);
constexpr unsigned kAdmin = RoleBit(Role::kAdmin);
constexpr unsigned kStaff = kSpecialist | kSupervisor;  // supervisors are specialists too
// No method lists the service role: service tokens (monitoring) reach only the open methods.
constexpr unsigned kAnyPerson = kClinic | kStaff | kAdmin;

MethodPolicy Open(absl::string_view method) { return {method, true, 0, false}; }
MethodPolicy Audited(absl::string_view method, unsigned roles) { return {method, false, roles, true}; }
MethodPolicy WithBreakGlass(MethodPolicy policy, unsigned roles) {
  policy.break_glass_roles = roles;
  return policy;
}
MethodPolicy NotAudited(absl::string_view method, unsigned roles) { return {method, false, roles, false}; }

std::vector<MethodPolicy> BuildTable() {
  return {
      Open("/grpc.health.v1.Health/Check"),
      Open("/grpc.health.v1.Health/Watch"),
      Open("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"),

      // The clinic's side: only clinics; the handlers keep each to its own cases.
      Audited("/telederm.v1.IntakeService/UploadImage", kClinic),
      Audited("/telederm.v1.IntakeService/GetUploadStatus", kClinic),
      Audited("/telederm.v1.IntakeService/SubmitCase", kClinic),
      Audited("/telederm.v1.IntakeService/GetCase", kClinic),
      Audited("/telederm.v1.IntakeService/ListCases", kClinic),
      Audited("/telederm.v1.IntakeService/WatchEvents", kClinic),
      Audited("/telederm.v1.IntakeService/SendMessage", kClinic),
      Audited("/telederm.v1.IntakeService/ListMessages", kClinic),
      Audited("/telederm.v1.IntakeService/MarkRead", kClinic),
      Audited("/telederm.v1.IntakeService/AcknowledgeReport", kClinic),

      // Pre-screening results are patient data: the case's clinic or its specialists.
      Audited("/telederm.v1.TriageService/GetTriageResult", kClinic | kStaff),
      // FHIR export of a whole case (common/fhir): the clinic its own, staff their pools' and their own;
      // an administrator any case, but only with a stated reason, audited with it (break glass).
      WithBreakGlass(Audited("/telederm.v1.FhirExportService/ExportCaseFhir", kClinic | kStaff), kAdmin),
      NotAudited("/telederm.v1.TriageService/ListAnalyzers", kAnyPerson),
      // A case's images: its clinic, its pool's specialists and supervisors (common/access decides).
      Audited("/telederm.v1.ImageService/GetImage", kClinic | kStaff),

      // The specialist's side: the handlers keep each to their pools and claims.
      Audited("/telederm.v1.ReferralService/ListQueue", kStaff),
      Audited("/telederm.v1.ReferralService/ClaimNext", kStaff),
      Audited("/telederm.v1.ReferralService/ExtendClaim", kStaff),
      Audited("/telederm.v1.ReferralService/Release", kStaff),
      Audited("/telederm.v1.ReferralService/SubmitReport", kStaff),
      Audited("/telederm.v1.ReferralService/RequestInfo", kStaff),
      Audited("/telederm.v1.ReferralService/SendMessage", kStaff),
      Audited("/telederm.v1.ReferralService/ListMessages", kStaff),
      Audited("/telederm.v1.ReferralService/MarkRead", kStaff),
      Audited("/telederm.v1.ReferralService/SaveDraft", kStaff),
      Audited("/telederm.v1.ReferralService/RequestSecondOpinion", kStaff),
      // Which pools a supervisor may move cases of is the stored profile's say (referral Access).
      Audited("/telederm.v1.ReferralService/Reassign", kStaff),
      Audited("/telederm.v1.ReferralService/RecordBiopsyOutcome", kStaff),
      Audited("/telederm.v1.ReferralService/WatchQueue", kStaff),

      // Operators: staff directory, dead letters (they hold case ids), the audit trail. No
      // patient images: no administrator method returns a case record or an image, except
      // the break-glass FHIR export above.
      Audited("/telederm.v1.AdminService/PutSpecialist", kAdmin),
      Audited("/telederm.v1.AdminService/GetSpecialist", kAdmin),
      Audited("/telederm.v1.AdminService/ListSpecialists", kAdmin),
      Audited("/telederm.v1.AdminService/DeleteSpecialist", kAdmin),
      Audited("/telederm.v1.AdminService/PutPool", kAdmin),
      Audited("/telederm.v1.AdminService/ListPools", kAdmin),
      Audited("/telederm.v1.AdminService/PutClinic", kAdmin),
      Audited("/telederm.v1.AdminService/ListClinics", kAdmin),
      Audited("/telederm.v1.AdminService/GetScreeningReport", kAdmin),
      Audited("/telederm.v1.DeadLetterService/ListDeadLetters", kAdmin),
      Audited("/telederm.v1.DeadLetterService/GetDeadLetter", kAdmin),
      Audited("/telederm.v1.DeadLetterService/ReplayDeadLetter", kAdmin),
      Audited("/telederm.v1.SecurityService/ListAuditEntries", kAdmin),
      Audited("/telederm.v1.SecurityService/RevokeToken", kAdmin),
  };
}

}  // namespace

const std::vector<MethodPolicy>& MethodPolicies() {
  static const std::vector<MethodPolicy>* table = new std::vector<MethodPolicy>(BuildTable());
  return *table;
}

const MethodPolicy* FindMethodPolicy(absl::string_view method) {
  for (const MethodPolicy& policy : MethodPolicies()) {
    if (policy.method == method) return &policy;
  }
  return nullptr;
}

namespace {

// True when `text` starts with a space character: the ASCII space or one of
// Unicode's spaces (Zs), the line and paragraph separators, or a zero-width
// space, so a reason of spaces of any kind states nothing.
bool StartsWithSpace(absl::string_view text) {
  static constexpr absl::string_view kSpaces[] = {
      " ",       "\u00a0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2007",
      "\u2008", "\u2009", "\u200a", "\u200b", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff"};
  return std::any_of(std::begin(kSpaces), std::end(kSpaces),
                     [text](absl::string_view space) { return absl::StartsWith(text, space); });
}

}  // namespace

absl::Status CheckBreakGlassReason(absl::string_view reason) {
  bool printable = std::all_of(reason.begin(), reason.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f;  // UTF-8 bytes are >= 0x80
  });
  int length = 0;  // characters: a UTF-8 character counts once, by its first byte
  int stated = 0;  // characters that are not a space of any kind
  for (size_t at = 0; at < reason.size(); ++at) {
    if ((static_cast<unsigned char>(reason[at]) & 0xC0) == 0x80) continue;
    ++length;
    if (!StartsWithSpace(reason.substr(at))) ++stated;
  }
  if (stated >= kMinBreakGlassReason && length <= kMaxBreakGlassReason && printable) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "an administrator may read a patient's case only with a stated reason: send metadata '",
      kBreakGlassReasonHeader, "' of ", kMinBreakGlassReason, " to ", kMaxBreakGlassReason,
      " printable characters, at least ", kMinBreakGlassReason,
      " of them not spaces (e.g. the incident number and why); it is recorded in the audit trail",
      reason.empty() ? "" : absl::StrCat(" (got ", length, " characters, ", stated, " of them not spaces)")));
}

absl::Status Authorize(const MethodPolicy* policy, absl::string_view method, Role role,
                       absl::string_view break_glass_reason) {
  if (policy == nullptr) {
    return absl::PermissionDeniedError(absl::StrCat(method, " is not in the access policy"));
  }
  if (policy->open || (policy->roles & RoleBit(role)) != 0) return absl::OkStatus();
  if ((policy->break_glass_roles & RoleBit(role)) != 0) return CheckBreakGlassReason(break_glass_reason);
  const absl::string_view name = RoleName(role);
  const absl::string_view article = absl::StrContains("aeiou", name.substr(0, 1)) ? "an " : "a ";
  return absl::PermissionDeniedError(absl::StrCat(article, name, " token may not call ", ShortMethodName(method)));
}

std::string ShortMethodName(absl::string_view method) {
  if (!method.empty() && method[0] == '/') method.remove_prefix(1);
  if (absl::ConsumePrefix(&method, "telederm.v1.")) return std::string(method);
  return std::string(method);
}

}  // namespace telederm::auth
