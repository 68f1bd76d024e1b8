#include "services/referral/screening_cell.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace telederm::referral {
namespace {

constexpr size_t kMaxAnalyzerLength = 128;

std::string ModalityWord(v1::Modality modality) {
  switch (modality) {
    case v1::MODALITY_DERMOSCOPY: return "dermoscopy";
    case v1::MODALITY_CLINICAL_CLOSE_UP: return "close_up";
    case v1::MODALITY_CLINICAL_OVERVIEW: return "overview";
    case v1::MODALITY_CONFOCAL_MICROSCOPY: return "confocal";
    case v1::MODALITY_ULTRASOUND: return "ultrasound";
    default: return "unspecified";
  }
}

}  // namespace

bool IsMalignantHistology(absl::string_view code) {
  if (code.size() < 3) return false;
  int number = 0;
  if (!absl::SimpleAtoi(code.substr(1, 2), &number)) return false;
  return (code[0] == 'C' && number <= 97) || (code[0] == 'D' && number <= 9);
}

std::string ScreenedTier(const v1::Case& c) {
  if (!c.has_triage() || !c.triage().screened()) return "not_screened";
  switch (c.triage().tier()) {
    case v1::URGENCY_URGENT: return "urgent";
    case v1::URGENCY_SOON: return "soon";
    case v1::URGENCY_ROUTINE: return "routine";
    default: return "not_screened";
  }
}

std::string CaseModality(const v1::Case& c) {
  static constexpr v1::Modality kPreference[] = {v1::MODALITY_DERMOSCOPY, v1::MODALITY_CLINICAL_CLOSE_UP,
                                                 v1::MODALITY_CLINICAL_OVERVIEW, v1::MODALITY_CONFOCAL_MICROSCOPY,
                                                 v1::MODALITY_ULTRASOUND};
  const auto& images = c.submission().images();
  if (images.empty()) return "none";
  for (v1::Modality wanted : kPreference) {
    for (const v1::ImageRef& image : images) {
      if (image.modality() == wanted) return ModalityWord(wanted);
    }
  }
  return "unspecified";
}

std::string FitzpatrickWord(int type) {
  static const char* const kWords[] = {"I", "II", "III", "IV", "V", "VI"};
  return type >= 1 && type <= 6 ? kWords[type - 1] : "unrecorded";
}

ScreeningCell CellOf(const v1::Case& c) {
  ScreeningCell cell;
  cell.tier = ScreenedTier(c);
  cell.malignant = IsMalignantHistology(c.report().biopsy().icd10_code());
  const int type = c.submission().patient().fitzpatrick_type();
  cell.fitzpatrick = type >= 1 && type <= 6 ? type : 0;
  cell.modality = CaseModality(c);
  if (c.has_triage() && !c.triage().analyzer_name().empty()) {
    cell.analyzer = absl::StrCat(c.triage().analyzer_name(), " ", c.triage().analyzer_version());
    if (cell.analyzer.size() > kMaxAnalyzerLength) cell.analyzer.resize(kMaxAnalyzerLength);
  } else {
    cell.analyzer = "none";
  }
  return cell;
}

std::string EncodeCell(const ScreeningCell& cell) {
  return absl::StrCat(cell.tier, "|", cell.malignant ? 1 : 0, "|", cell.fitzpatrick, "|", cell.modality, "|",
                      cell.analyzer);
}

std::optional<ScreeningCell> DecodeCell(absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(field, absl::MaxSplits('|', 4));
  if (parts.size() != 5) return std::nullopt;
  ScreeningCell cell;
  cell.tier = std::string(parts[0]);
  if (parts[1] != "0" && parts[1] != "1") return std::nullopt;
  cell.malignant = parts[1] == "1";
  if (!absl::SimpleAtoi(parts[2], &cell.fitzpatrick) || cell.fitzpatrick < 0 || cell.fitzpatrick > 6) {
    return std::nullopt;
  }
  cell.modality = std::string(parts[3]);
  cell.analyzer = std::string(parts[4]);
  return cell;
}

}  // namespace telederm::referral
