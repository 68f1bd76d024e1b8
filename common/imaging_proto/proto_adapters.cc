#include "common/imaging_proto/proto_adapters.h"

#include <string>

namespace telederm::imaging {

Modality FromProto(v1::Modality modality) {
  switch (modality) {
    case v1::MODALITY_CLINICAL_OVERVIEW: return Modality::kClinicalOverview;
    case v1::MODALITY_DERMOSCOPY: return Modality::kDermoscopy;
    case v1::MODALITY_CONFOCAL_MICROSCOPY: return Modality::kConfocalMicroscopy;
    case v1::MODALITY_ULTRASOUND: return Modality::kUltrasound;
    case v1::MODALITY_CLINICAL_CLOSE_UP:
    default: return Modality::kClinicalCloseUp;
  }
}

v1::QualityFinding ToProto(const QualityFinding& finding) {
  v1::QualityFinding out;
  out.set_code(finding.code);
  out.set_severity(finding.severity == Severity::kRefusal ? v1::QUALITY_SEVERITY_REFUSAL
                                                          : v1::QUALITY_SEVERITY_WARNING);
  out.set_message(finding.message);
  out.set_measured(finding.measured);
  out.set_threshold(finding.threshold);
  return out;
}

}  // namespace telederm::imaging
