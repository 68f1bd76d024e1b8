#include "services/intake/dicom_upload.h"

#include "common/case_state/timestamps.h"
#include "common/dicom/dicom_import.h"

namespace telederm::intake {

bool IsDicomUpload(absl::string_view bytes) { return dicom::IsDicomFile(bytes); }

absl::StatusOr<UnwrappedDicom> UnwrapDicomUpload(absl::string_view file, v1::Modality declared, int64_t max_pixels) {
  absl::StatusOr<dicom::ImportedImage> imported = dicom::ImportDicom(file, {.max_pixels = max_pixels});
  if (!imported.ok()) return imported.status();
  UnwrappedDicom unwrapped;
  unwrapped.image = std::move(imported->encoded);
  v1::ImageRef& ref = unwrapped.ref;
  ref.set_sha256(Sha256Hex(unwrapped.image));
  ref.set_size_bytes(static_cast<int64_t>(unwrapped.image.size()));
  ref.set_content_type(imported->content_type);
  ref.set_modality(imported->dermoscopic ? v1::MODALITY_DERMOSCOPY : declared);
  ref.set_pixel_size_mm(imported->pixel_spacing_mm);
  ref.set_recorded_body_part(imported->body_part);
  if (imported->acquired_at.has_value()) *ref.mutable_acquired_at() = ToProtoTimestamp(*imported->acquired_at);
  return unwrapped;
}

absl::Status StoreUnwrappedImage(BlobStore& blobs, const UnwrappedDicom& unwrapped) {
  absl::StatusOr<BlobWriterPtr> writer = blobs.NewWriter();
  if (!writer.ok()) return writer.status();
  if (absl::Status s = (*writer)->Append(unwrapped.image); !s.ok()) return s;
  return (*writer)->Commit(unwrapped.ref.sha256()).status();
}

}  // namespace telederm::intake
