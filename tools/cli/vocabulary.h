#ifndef TELEDERM_TOOLS_CLI_VOCABULARY_H_
#define TELEDERM_TOOLS_CLI_VOCABULARY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "telederm/v1/case.pb.h"

namespace telederm::cli {

// The words the command line uses for the contract's enums, both ways.
// Parsing is exact (lower case, hyphenated); an unknown word is INVALID_ARGUMENT
// listing every accepted word. Word*() of an unspecified or unknown value is "-".

absl::StatusOr<v1::CaseType> ParseCaseType(absl::string_view word);  // tumour|rash|acne|other
absl::StatusOr<v1::Sex> ParseSex(absl::string_view word);            // female|male|other|unknown
absl::StatusOr<v1::BodySite> ParseBodySite(absl::string_view word);  // back, upper-arm, ...
// dermoscopy|clinical-overview|clinical-close-up|confocal|ultrasound
absl::StatusOr<v1::Modality> ParseModality(absl::string_view word);
// reassure|treat|biopsy|excise|urgent-referral|follow-up-photo
absl::StatusOr<v1::Management> ParseManagement(absl::string_view word);

// Comma-separated sets; an empty list sets nothing, a repeated word is accepted.
// personal-melanoma,family-melanoma,immunosuppressed,many-naevi,sunburn
absl::StatusOr<v1::RiskFactors> ParseRiskFactors(absl::string_view list);
absl::StatusOr<v1::Evolution> ParseEvolution(absl::string_view list);  // size,shape,colour
// itch,bleeding,pain,ulceration,new,inflammation
absl::StatusOr<v1::Symptoms> ParseSymptoms(absl::string_view list);

std::string CaseTypeWord(v1::CaseType type);
std::string SexWord(v1::Sex sex);
std::string BodySiteWord(v1::BodySite site);
std::string ModalityWord(v1::Modality modality);
std::string ManagementWord(v1::Management management);
std::string UrgencyWord(v1::Urgency urgency);        // urgent|soon|routine
std::string EventTypeWord(v1::EventType type);       // received|screened|...|info-requested|...
std::string CaseStatusWord(v1::CaseStatus status);   // received|...|needs_info|... as StatusName

// The set words of a RiskFactors, Evolution or Symptoms, in the order listed above.
std::vector<std::string> RiskFactorWords(const v1::RiskFactors& risk);
std::vector<std::string> EvolutionWords(const v1::Evolution& evolution);
std::vector<std::string> SymptomWords(const v1::Symptoms& symptoms);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_VOCABULARY_H_
