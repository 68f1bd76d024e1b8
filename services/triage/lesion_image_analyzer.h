#ifndef TELEDERM_SERVICES_TRIAGE_LESION_IMAGE_ANALYZER_H_
#define TELEDERM_SERVICES_TRIAGE_LESION_IMAGE_ANALYZER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/imaging/lesion_analyzer.h"
#include "services/triage/analyzer.h"

namespace telederm::triage {

// Which lesion models to load, from the settings. For each: empty means the
// shipped model (models/ of the source tree, docs/MODEL.md), "none" means no
// model for those images (rules only), anything else is an ONNX file whose
// sidecar is FILE.sidecar unless given.
struct ModelSettings {
  std::string dermoscopy;          // --model, TELEDERM_MODEL
  std::string dermoscopy_sidecar;  // --model_sidecar
  std::string close_up;            // --closeup_model, TELEDERM_CLOSEUP_MODEL
};

// The Analyzer backed by common/imaging: ABCD rule and TDS for dermoscopy,
// border and colour findings for clinical close-ups, and the learned models.
// Confocal and ultrasound images are not analysable. A model that cannot be
// loaded, or whose sidecar is for the other modality, is an error naming it
// and the setting that chose it (never a silent fall-back to the rules alone).
absl::StatusOr<AnalyzerPtr> NewLesionImageAnalyzer(imaging::AnalyzerOptions options, const ModelSettings& models);

// The shipped models' paths.
std::string DefaultModelPath();
std::string DefaultCloseUpModelPath();

}  // namespace telederm::triage

#endif  // TELEDERM_SERVICES_TRIAGE_LESION_IMAGE_ANALYZER_H_
