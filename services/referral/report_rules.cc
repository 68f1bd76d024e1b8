#include "services/referral/report_rules.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace telederm::referral {
namespace {

// Characters, not bytes: a clinic writing in Greek gets the same limit.
size_t CountCodePoints(absl::string_view text) {
  size_t count = 0;
  for (unsigned char byte : text) {
    if ((byte & 0xC0) != 0x80) ++count;
  }
  return count;
}

absl::Status CheckLength(absl::string_view field, absl::string_view text, size_t min, size_t max) {
  size_t length = CountCodePoints(text);
  if (length < min || length > max) {
    return absl::InvalidArgumentError(absl::StrCat("report.", field, ": must be ", min, "..", max,
                                                   " characters, got ", length));
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

absl::Status ValidateReport(const v1::Report& report) {
  if (absl::StripAsciiWhitespace(report.diagnosis_text()).empty()) {
    return absl::InvalidArgumentError("report.diagnosis_text: must not be empty; write the diagnosis in words");
  }
  if (absl::Status s = CheckLength("diagnosis_text", report.diagnosis_text(), 1, 2000); !s.ok()) return s;
  if (!IsIcd10Shaped(report.icd10_code())) {
    return absl::InvalidArgumentError(absl::StrCat("report.icd10_code: '", report.icd10_code(),
                                                   "' is not an ICD-10 code; expected a capital letter, two digits "
                                                   "and optionally a dot and up to 4 more, like L82 or C43.5"));
  }
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

}  // namespace telederm::referral
