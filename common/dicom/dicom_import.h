// DICOM Part-10 files as uploads: the pixel data becomes the image, a few
// acquisition attributes come along, and nothing that identifies the patient
// leaves this module (docs/DICOM.md lists the tags read and dropped).
//
// All functions are pure and safe to call concurrently.
#ifndef TELEDERM_COMMON_DICOM_DICOM_IMPORT_H_
#define TELEDERM_COMMON_DICOM_DICOM_IMPORT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace telederm::dicom {

// True when `bytes` start with the 128-byte preamble and "DICM" of a Part-10 file.
bool IsDicomFile(absl::string_view bytes);

// The image of a DICOM file and the acquisition attributes read with it.
struct ImportedImage {
  std::string encoded;       // a JPEG (the file's own baseline JPEG) or a PNG (decoded pixel data)
  std::string content_type;  // "image/jpeg" or "image/png"
  bool dermoscopic = false;  // SOP class Dermoscopic Photography Image Storage
  std::string modality;      // (0008,0060), e.g. "XC" or "DMS"; "" when absent
  // Anatomic Region Sequence's code meaning, else Body Part Examined; at most 64 characters.
  std::string body_part;
  double pixel_spacing_mm = 0;             // (0028,0030), 0 when absent or not in 0..10 mm
  std::optional<absl::Time> acquired_at;  // Acquisition DateTime, else date and time; no offset = UTC
};

struct ImportOptions {
  // Rows × Columns above this are refused before any pixel is decoded.
  int64_t max_pixels = 50'000'000;
};

// Reads a VL Photographic or Dermoscopic Photography Image Storage file in
// JPEG baseline (stored as is, without its APPn/COM segments apart from JFIF
// and Adobe) or uncompressed little endian (8-bit RGB or MONOCHROME, stored as
// PNG). Every refusal is INVALID_ARGUMENT starting "dicom:" with what to do.
absl::StatusOr<ImportedImage> ImportDicom(absl::string_view bytes, const ImportOptions& options = {});

}  // namespace telederm::dicom

#endif  // TELEDERM_COMMON_DICOM_DICOM_IMPORT_H_
