#include "services/referral/report_rules.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace telederm::referral {
// Characters, not bytes: a clinic writing in Greek gets the same limit.
size_t CountCodePoints(absl::string_view text) {
  size_t count = 0;
  for (unsigned char byte : text) {
    if ((byte & 0xC0) != 0x80) ++count;
  }
  return count;
}

namespace {

absl::Status CheckLength(absl::string_view field, absl::string_view text, size_t min, size_t max,
                         absl::string_view message = "report") {
  size_t length = CountCodePoints(text);
  if (length < min || length > max) {
    return absl::InvalidArgumentError(absl::StrCat(message, ".", field, ": must be ", min, "..", max,
                                                   " characters, got ", length));
  }
  return absl::OkStatus();
}

absl::Status CheckCode(absl::string_view field, absl::string_view code, const Icd10Table& codes) {
  if (!IsIcd10Shaped(code)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": '", code,
                                                   "' is not an ICD-10 code; expected a capital letter, two digits "
                                                   "and optionally a dot and up to 4 more, like L82 or C43.5"));
  }
  if (!codes.Title(code).has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": '", code,
        "' is not in the table of skin codes this service accepts (docs/REFERRAL.md); use the most specific code "
        "of the category, like C43.5 or D22.9"));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsIcd10Shaped(absl::string_view code) {
  if (code.size() < 3 || code.size() == 4 || code.size() > 8) return false;
  if (!absl::ascii_isupper(code[0]) || !absl::ascii_isdigit(code[1]) || !absl::ascii_isdigit(code[2])) return false;
  if (code.size() == 3) return true;
  if (code[3] != '.') return false;
  for (char ch : code.substr(4)) {
    if (!absl::ascii_isdigit(ch) && !absl::ascii_isupper(ch)) return false;
  }
  return true;
}

absl::Status ValidateReport(const v1::Report& report, const Icd10Table& codes) {
  if (absl::StripAsciiWhitespace(report.diagnosis_text()).empty()) {
    return absl::InvalidArgumentError("report.diagnosis_text: must not be empty; write the diagnosis in words");
  }
  if (absl::Status s = CheckLength("diagnosis_text", report.diagnosis_text(), 1, 2000); !s.ok()) return s;
  if (absl::Status s = CheckCode("report.icd10_code", report.icd10_code(), codes); !s.ok()) return s;
  if (report.management() == v1::MANAGEMENT_UNSPECIFIED || !v1::Management_IsValid(report.management())) {
    return absl::InvalidArgumentError(
        "report.management: choose one of REASSURE, TREAT, BIOPSY, EXCISE, URGENT_IN_PERSON_REFERRAL, "
        "FOLLOW_UP_PHOTO");
  }
  if (report.management_interval() < 0 || report.management_interval() > 365) {
    return absl::InvalidArgumentError(absl::StrCat("report.management_interval: must be 0..365, got ",
                                                   report.management_interval()));
  }
  if (absl::Status s = CheckLength("follow_up", report.follow_up(), 0, 2000); !s.ok()) return s;
  if (absl::Status s = CheckLength("free_text", report.free_text(), 0, 4000); !s.ok()) return s;
  return absl::OkStatus();
}

absl::Status ValidateBiopsyOutcome(const v1::BiopsyOutcome& outcome, const Icd10Table& codes) {
  if (absl::StripAsciiWhitespace(outcome.histology_text()).empty()) {
    return absl::InvalidArgumentError("outcome.histology_text: must not be empty; write the histology in words");
  }
  if (absl::Status s = CheckLength("histology_text", outcome.histology_text(), 1, 2000, "outcome"); !s.ok()) {
    return s;
  }
  return CheckCode("outcome.icd10_code", outcome.icd10_code(), codes);
}

bool IsSameReport(const v1::Report& signed_report, const v1::Report& submitted) {
  auto written = [](v1::Report report) {
    report.clear_specialist_id();
    report.clear_reported_at();
    report.clear_biopsy();
    return report.SerializeAsString();
  };
  return written(signed_report) == written(submitted);
}

}  // namespace telederm::referral
