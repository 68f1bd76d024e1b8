#ifndef TELEDERM_SERVICES_INTAKE_QUALITY_GATE_H_
#define TELEDERM_SERVICES_INTAKE_QUALITY_GATE_H_

#include "common/imaging/quality.h"
#include "services/intake/image_gate.h"

namespace telederm::intake {

// The image gate intake runs on every upload: the bytes must be a JPEG or PNG
// (sniffed, whatever the declared type), within the pixel limit, and pass the
// quality checks of common/imaging (docs/IMAGING.md has the thresholds).
ImageGatePtr NewQualityGate(const imaging::QualityThresholds& thresholds = {},
                            const imaging::DecodeOptions& decode_options = {});

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_QUALITY_GATE_H_
