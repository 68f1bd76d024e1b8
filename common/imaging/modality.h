// Kinds of skin image a clinic can send, and the library's identity.
#ifndef TELEDERM_COMMON_IMAGING_MODALITY_H_
#define TELEDERM_COMMON_IMAGING_MODALITY_H_

#include <string_view>

namespace telederm::imaging {

// Name and version of the analysis method, recorded with every assessment so a
// stored score can be traced to the rules that produced it. The version changes
// whenever a threshold or rule changes what a given image scores.
inline constexpr std::string_view kLibraryName = "telederm-dermoscopy-abcd";
inline constexpr std::string_view kLibraryVersion = "1.2.0";

enum class Modality {
  kClinicalOverview,    // A body region photographed for context.
  kClinicalCloseUp,     // A single lesion photographed without a dermatoscope.
  kDermoscopy,          // Contact or polarised dermoscopy of a single lesion.
  kConfocalMicroscopy,  // Reflectance confocal microscopy: not analysed here.
  kUltrasound,          // High-frequency ultrasound: not analysed here.
};

// Lower-case name, e.g. "dermoscopy", for messages and logs.
std::string_view ModalityName(Modality modality);

}  // namespace telederm::imaging

#endif  // TELEDERM_COMMON_IMAGING_MODALITY_H_
