#ifndef TELEDERM_SERVICES_INTAKE_QUALITY_GATE_H_
#define TELEDERM_SERVICES_INTAKE_QUALITY_GATE_H_

#include <memory>

#include "common/imaging/bounded_decoder.h"
#include "common/imaging/quality.h"
#include "services/intake/image_gate.h"

namespace telederm::intake {

struct QualityGateOptions {
  imaging::QualityThresholds thresholds;
  imaging::DecodeOptions decode;  // decode.max_pixels: the header's pixel limit
  // Threads, queue and per-image time limit of the decoding step.
  imaging::BoundedDecoderOptions bounds;
};

// The image gate intake runs on every upload: the bytes must be a JPEG or PNG
// (sniffed, whatever the declared type), within the pixel limit, and pass the
// quality checks of common/imaging (docs/IMAGING.md has the thresholds).
// Decoding and the checks run on a BoundedDecoder of their own: when it is
// full Inspect answers RESOURCE_EXHAUSTED with a retry hint; an image not
// checked within the time limit is INVALID_ARGUMENT, telling the clinic to
// send a smaller photo. The gate copies the bytes it checks.
ImageGatePtr NewQualityGate(const QualityGateOptions& options = {});

// As above, on a decoder the caller shares (tests occupy it to fill it).
ImageGatePtr NewQualityGate(const QualityGateOptions& options, std::shared_ptr<imaging::BoundedDecoder> decoder);

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_QUALITY_GATE_H_
