#ifndef TELEDERM_COMMON_IMAGING_PROTO_PROTO_ADAPTERS_H_
#define TELEDERM_COMMON_IMAGING_PROTO_PROTO_ADAPTERS_H_

#include "common/imaging/modality.h"
#include "common/imaging/quality.h"
#include "telederm/v1/case.pb.h"
#include "telederm/v1/intake.pb.h"

// Conversions between the imaging library's plain types and the public
// contract, kept apart so that common/imaging does not depend on protobuf.
namespace telederm::imaging {

// MODALITY_UNSPECIFIED maps to kClinicalCloseUp (validation refuses it earlier).
Modality FromProto(v1::Modality modality);
v1::QualityFinding ToProto(const QualityFinding& finding);

}  // namespace telederm::imaging

#endif  // TELEDERM_COMMON_IMAGING_PROTO_PROTO_ADAPTERS_H_
