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
};

// Parses CSV text (RFC 4180: quoted fields may hold commas, quotes and line
// breaks) with a header naming at least file, diagnosis and benign_malignant
// (values "benign" or "malignant"); age and sex are used when present.
// INVALID_ARGUMENT names the line and the problem.
absl::StatusOr<std::vector<LabelledImage>> ParseLabels(absl::string_view csv);

}  // namespace telederm::eval

#endif  // TELEDERM_TOOLS_EVAL_LABELS_H_
