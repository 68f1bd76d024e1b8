#ifndef TELEDERM_SERVICES_INTAKE_DICOM_UPLOAD_H_
#define TELEDERM_SERVICES_INTAKE_DICOM_UPLOAD_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/blob/blob_store.h"
#include "telederm/v1/case.pb.h"

namespace telederm::intake {

// A DICOM upload unwrapped at the edge (docs/DICOM.md): `image` is its pixel
// data as JPEG or PNG, and `ref` the image's reference (digest, content type,
// size, modality, pixel size, body part, acquisition time). Nothing else of
// the file is kept: the quality gate, the blob store and the case see the
// image only, never the file.
struct UnwrappedDicom {
  std::string image;
  v1::ImageRef ref;
};

// True for a DICOM Part-10 file.
bool IsDicomUpload(absl::string_view bytes);

// Dermoscopic Photography files are MODALITY_DERMOSCOPY whatever the header
// declared; VL Photographic files keep the declared modality (the file does
// not say overview from close-up). A file declaring more than `max_pixels`
// is refused before its pixel data is read. INVALID_ARGUMENT from the import
// as is.
absl::StatusOr<UnwrappedDicom> UnwrapDicomUpload(absl::string_view file, v1::Modality declared, int64_t max_pixels);

// Stores the unwrapped image under its digest.
absl::Status StoreUnwrappedImage(BlobStore& blobs, const UnwrappedDicom& unwrapped);

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_DICOM_UPLOAD_H_
