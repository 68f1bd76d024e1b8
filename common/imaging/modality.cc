#include "common/imaging/modality.h"

namespace telederm::imaging {

std::string_view ModalityName(Modality modality) {
  switch (modality) {
    case Modality::kClinicalOverview:
      return "clinical_overview";
    case Modality::kClinicalCloseUp:
      return "clinical_close_up";
    case Modality::kDermoscopy:
      return "dermoscopy";
    case Modality::kConfocalMicroscopy:
      return "confocal_microscopy";
    case Modality::kUltrasound:
      return "ultrasound";
  }
  return "unknown";
}

}  // namespace telederm::imaging
