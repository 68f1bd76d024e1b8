#ifndef TELEDERM_SERVICES_TRIAGE_SKIPPED_IMAGE_ANALYZER_H_
#define TELEDERM_SERVICES_TRIAGE_SKIPPED_IMAGE_ANALYZER_H_

#include "services/triage/analyzer.h"

namespace telederm::triage {

// For benchmarks only (telederm-triage --skip_image_analysis): an analyzer
// that judges no image. The screener then marks every tumour case NOT
// SCREENED and sends it to a specialist as URGENT (invariant 4), so a case
// that skipped analysis can never pass for a screened one. Thread-safe.
AnalyzerPtr NewSkippedImageAnalyzer();

}  // namespace telederm::triage

#endif  // TELEDERM_SERVICES_TRIAGE_SKIPPED_IMAGE_ANALYZER_H_
