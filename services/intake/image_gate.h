#ifndef TELEDERM_SERVICES_INTAKE_IMAGE_GATE_H_
#define TELEDERM_SERVICES_INTAKE_IMAGE_GATE_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "telederm/v1/case.pb.h"
#include "telederm/v1/intake.pb.h"

namespace telederm::intake {

// Looks at an uploaded image before it is stored, while the clinic worker can
// still retake it. Returns the findings; any with QUALITY_SEVERITY_REFUSAL make
// the upload fail. INVALID_ARGUMENT when the bytes are not a readable image.
// Implementations are safe for concurrent use.
class ImageGate {
 public:
  virtual ~ImageGate() = default;
  virtual absl::StatusOr<std::vector<v1::QualityFinding>> Inspect(absl::string_view bytes,
                                                                  v1::Modality modality) const = 0;
};
using ImageGatePtr = std::shared_ptr<const ImageGate>;

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_IMAGE_GATE_H_
