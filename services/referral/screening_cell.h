#ifndef TELEDERM_SERVICES_REFERRAL_SCREENING_CELL_H_
#define TELEDERM_SERVICES_REFERRAL_SCREENING_CELL_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "telederm/v1/case.pb.h"

namespace telederm::referral {

// What a case with a biopsy outcome counts as in the screening report: the
// pre-screening's tier, whether the histology proved malignant, and the
// case's Fitzpatrick type, image modality and analyzer. Every field comes from
// the case record as triage and the form left it.
struct ScreeningCell {
  std::string tier;  // "urgent", "soon", "routine", "not_screened"
  bool malignant = false;
  int fitzpatrick = 0;  // 1..6, 0 unrecorded
  std::string modality;  // ModalityWord of the case's images
  std::string analyzer;  // "<analyzer name> <analyzer version>", "none" without a triage result

  bool operator==(const ScreeningCell&) const = default;
};

// Malignant for the report: an ICD-10 code of a malignant neoplasm (C00-C97)
// or an in-situ one (D00-D09, e.g. D03 melanoma in situ, D04 Bowen's disease).
bool IsMalignantHistology(absl::string_view icd10_code);

// The tier the pre-screening gave: "not_screened" when it could not judge the
// images (TriageResult.screened false) or left no result.
std::string ScreenedTier(const v1::Case& c);

// The modality a case is counted under: dermoscopy when any image is one, else
// close_up, overview, confocal, ultrasound, unspecified in that order; "none"
// without images. A fixed set, so metric labels stay bounded.
std::string CaseModality(const v1::Case& c);

// "I".."VI", or "unrecorded" for 0 and anything out of range.
std::string FitzpatrickWord(int type);

// The cell of a case; meaningful once report.biopsy holds an outcome.
ScreeningCell CellOf(const v1::Case& c);

// The Redis hash field of a cell: "<tier>|<0|1>|<fitzpatrick>|<modality>|<analyzer>".
// The analyzer goes last and keeps any '|' it has, so decoding splits at the first four.
std::string EncodeCell(const ScreeningCell& cell);
// Empty for a field that is not an encoded cell (such as "reported").
std::optional<ScreeningCell> DecodeCell(absl::string_view field);

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_SCREENING_CELL_H_
