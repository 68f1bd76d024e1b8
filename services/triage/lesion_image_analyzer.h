#ifndef TELEDERM_SERVICES_TRIAGE_LESION_IMAGE_ANALYZER_H_
#define TELEDERM_SERVICES_TRIAGE_LESION_IMAGE_ANALYZER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/imaging/lesion_analyzer.h"
#include "services/triage/analyzer.h"

namespace telederm::triage {

// The Analyzer backed by common/imaging: ABCD rule and TDS for dermoscopy,
// border and colour findings for clinical close-ups, and the optional ONNX
// model. Confocal and ultrasound images are not analysable. A configured model
// that cannot be loaded is an error naming it (never a silent fall-back to the
// rules alone).
absl::StatusOr<AnalyzerPtr> NewLesionImageAnalyzer(imaging::AnalyzerOptions options);

// The shipped lesion model (models/lesion-dermoscopy.onnx of the source tree,
// docs/MODEL.md); its sidecar is the same path plus ".sidecar".
std::string DefaultModelPath();

// Sets options.model_path and model_sidecar_path from the --model and
// --model_sidecar settings: an empty model means the shipped model, "none"
// means no model (rules only), anything else is an ONNX file; an empty
// sidecar means MODEL.sidecar.
void SelectModel(absl::string_view model, absl::string_view sidecar, imaging::AnalyzerOptions& options);

}  // namespace telederm::triage

#endif  // TELEDERM_SERVICES_TRIAGE_LESION_IMAGE_ANALYZER_H_
