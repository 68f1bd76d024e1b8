#ifndef TELEDERM_TOOLS_CLI_CASE_SUMMARY_H_
#define TELEDERM_TOOLS_CLI_CASE_SUMMARY_H_

#include <string>
#include <vector>

#include "telederm/v1/case.pb.h"

namespace telederm::cli {

// A case as a dermatologist reads it: "key: value" lines (type, patient, lesion,
// question, images, received, urgency, triage with its explanation, claim, report,
// history). Nested lines are indented by two spaces. Absent parts are left out.
std::vector<std::string> FormatCaseSummary(const v1::Case& c);

// risk, tier, screened (with the reason when not), analyzer, screened_at, one
// "suspected:" line and one "explanation:" line per item, e.g.
// "explanation: [clinical] +2.00 lesion changed in size".
std::vector<std::string> FormatTriageLines(const v1::TriageResult& triage);

// "<verb> <case_id> token=<fencing token> lease_expires=<time> pool=<pool>"
std::string FormatClaimLine(const std::string& verb, const std::string& case_id, const v1::Claim& claim);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_CASE_SUMMARY_H_
