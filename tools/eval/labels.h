#ifndef TELEDERM_TOOLS_EVAL_LABELS_H_
#define TELEDERM_TOOLS_EVAL_LABELS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace telederm::eval {

// One row of a labels.csv: an image and what it really is.
struct LabelledImage {
  std::string file;       // relative to the labels file's directory
  std::string diagnosis;  // e.g. "melanoma", "nevus"
  bool malignant = false;
  std::optional<int> age;
  std::string sex;  // "female", "male" or empty
  // How the service would receive it: "dermoscopy" (the default) or
  // "clinical_close_up" (column modality).
  std::string modality = "dermoscopy";
  std::string source;       // column source, for per-source tables; may be empty
  std::string fitzpatrick;  // column fitzpatrick (1..6), may be empty
  std::string group;        // column group: the lesion or patient, may be empty
  // The case form's lesion history, when the set records it (PAD-UFES-20's
  // columns): diameter_mm is the largest diameter; itch, grew (in size), hurt
  // (pain), changed (in shape or pattern) and bleed are true or false.
  std::optional<double> diameter_mm;
  bool itch = false;
  bool grew = false;
  bool hurt = false;
  bool changed = false;
  bool bleed = false;
};

// Parses CSV text (RFC 4180: quoted fields may hold commas, quotes and line
// breaks) with a header naming at least file, diagnosis and benign_malignant
// (values "benign" or "malignant"); age, sex, modality, source, fitzpatrick,
// diameter_mm and the history columns (itch, grew, hurt, changed, bleed:
// true/false, 1/0 or empty) are used when present (an unknown modality or a
// history value other than those is INVALID_ARGUMENT).
// INVALID_ARGUMENT names the line and the problem.
absl::StatusOr<std::vector<LabelledImage>> ParseLabels(absl::string_view csv);

}  // namespace telederm::eval

#endif  // TELEDERM_TOOLS_EVAL_LABELS_H_
