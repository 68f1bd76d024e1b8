// A stored image as a DICOM Part-10 file for a hospital PACS: VL Photographic
// or Dermoscopic Photography Image Storage, uncompressed RGB, with the
// clinic's pseudonymous patient reference as Patient ID and no other patient
// attribute (docs/DICOM.md lists the tags written).
//
// Pure apart from writing the file; safe to call concurrently.
#ifndef TELEDERM_COMMON_DICOM_DICOM_EXPORT_H_
#define TELEDERM_COMMON_DICOM_DICOM_EXPORT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace telederm::dicom {

struct ExportedImage {
  std::string encoded;       // the stored JPEG or PNG
  bool dermoscopic = false;  // Dermoscopic Photography, else VL Photographic
  std::string patient_id;    // the clinic's pseudonymous reference; "" leaves Patient ID empty
  // The study's UIDs derive from the case id, the instance's from it and the
  // image's digest: exporting the same case again gives the same UIDs.
  std::string case_id;
  std::string sha256;
  int instance_number = 1;
  double pixel_size_mm = 0;  // written as Pixel Spacing when known (> 0)
};

// Writes `image` as a DICOM file at `path` (explicit VR little endian).
// INVALID_ARGUMENT when the image cannot be decoded, INTERNAL when the file
// cannot be written.
absl::Status WriteDicomFile(const ExportedImage& image, const std::string& path);

}  // namespace telederm::dicom

#endif  // TELEDERM_COMMON_DICOM_DICOM_EXPORT_H_
