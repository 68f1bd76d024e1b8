#ifndef TELEDERM_SERVICES_REFERRAL_REPORT_RULES_H_
#define TELEDERM_SERVICES_REFERRAL_REPORT_RULES_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/referral/icd10_table.h"
#include "telederm/v1/case.pb.h"

namespace telederm::referral {

// True for codes shaped like ICD-10: a letter, two digits, optionally a dot and
// 1..4 digits or capitals ("L82", "C43.5", "D22.5").
bool IsIcd10Shaped(absl::string_view code);

// OK, or INVALID_ARGUMENT whose message starts with the offending field
// ("report.icd10_code: ...") and says what would be accepted. The code must be
// in `codes`. The fields the service fills in (specialist_id, reported_at,
// biopsy) are ignored.
absl::Status ValidateReport(const v1::Report& report, const Icd10Table& codes);

// The same for a biopsy outcome ("outcome.histology_text: ...").
absl::Status ValidateBiopsyOutcome(const v1::BiopsyOutcome& outcome, const Icd10Table& codes);

// True when `submitted` says what the stored `signed_report` says: every field
// the specialist writes is equal (the fields the service fills in are ignored).
// A second SubmitReport is accepted as a retry only then.
bool IsSameReport(const v1::Report& signed_report, const v1::Report& submitted);

// Characters, not bytes, in UTF-8 text.
size_t CountCodePoints(absl::string_view text);

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_REPORT_RULES_H_
