#ifndef TELEDERM_SERVICES_TRIAGE_LESION_IMAGE_ANALYZER_H_
#define TELEDERM_SERVICES_TRIAGE_LESION_IMAGE_ANALYZER_H_

#include "absl/status/statusor.h"
#include "common/imaging/lesion_analyzer.h"
#include "services/triage/analyzer.h"

namespace telederm::triage {

// The Analyzer backed by common/imaging: ABCD rule and TDS for dermoscopy,
// border and colour findings for clinical close-ups, and the optional ONNX
// model. Confocal and ultrasound images are not analysable.
absl::StatusOr<AnalyzerPtr> NewLesionImageAnalyzer(imaging::AnalyzerOptions options);

}  // namespace telederm::triage

#endif  // TELEDERM_SERVICES_TRIAGE_LESION_IMAGE_ANALYZER_H_
