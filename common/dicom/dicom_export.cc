#include "common/dicom/dicom_export.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/dicom/dicom_attributes.h"
#include "common/imaging/decode.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "opencv2/imgproc.hpp"

namespace telederm::dicom {

absl::Status WriteDicomFile(const ExportedImage& image, const std::string& path) {
  absl::StatusOr<cv::Mat> decoded = imaging::DecodeImage(image.encoded);
  if (!decoded.ok()) return decoded.status();
  cv::Mat rgb;
  cv::cvtColor(*decoded, rgb, cv::COLOR_BGR2RGB);
  if (rgb.rows > 0xFFFF || rgb.cols > 0xFFFF) {
    return absl::InvalidArgumentError("dicom: the image is wider or taller than DICOM's 65535 pixels");
  }
  SilenceDcmtkLogger();
  DcmFileFormat file;
  DcmDataset& data = *file.getDataset();
  const std::string study_uid = UidFromSeed(absl::StrCat("telederm-study:", image.case_id));
  const std::string series_uid =
      UidFromSeed(absl::StrCat("telederm-series:", image.case_id, image.dermoscopic ? ":dms" : ":xc"));
  const std::string instance_uid = UidFromSeed(absl::StrCat("telederm-instance:", image.case_id, ":", image.sha256));
  const bool lossy = imaging::SniffImageFormat(image.encoded) == imaging::ImageFormat::kJpeg;
  const std::vector<std::pair<DcmTagKey, std::string>> values = {
      {DCM_SpecificCharacterSet, "ISO_IR 192"},
      {DCM_ImageType, "DERIVED\\PRIMARY"},
      {DCM_SOPClassUID, image.dermoscopic ? kDermoscopicPhotographyImageStorage : kVlPhotographicImageStorage},
      {DCM_SOPInstanceUID, instance_uid},
      {DCM_StudyInstanceUID, study_uid},
      {DCM_SeriesInstanceUID, series_uid},
      {DCM_Modality, image.dermoscopic ? "DMS" : "XC"},
      {DCM_PatientID, image.patient_id},
      // Type 2: present and empty. telederm holds no name, birth date or sex to put here.
      {DCM_PatientName, ""},
      {DCM_PatientBirthDate, ""},
      {DCM_PatientSex, ""},
      {DCM_StudyDate, ""},
      {DCM_StudyTime, ""},
      {DCM_ReferringPhysicianName, ""},
      {DCM_StudyID, ""},
      {DCM_AccessionNumber, ""},
      {DCM_Manufacturer, ""},
      {DCM_SeriesNumber, "1"},
      {DCM_InstanceNumber, absl::StrCat(image.instance_number)},
      {DCM_PatientOrientation, ""},
      {DCM_ContentDate, ""},
      {DCM_ContentTime, ""},
      {DCM_LossyImageCompression, lossy ? "01" : "00"},
      {DCM_PhotometricInterpretation, "RGB"},
  };
  for (const auto& [tag, value] : values) {
    if (data.putAndInsertString(tag, value.c_str()).bad()) {
      return absl::InternalError(absl::StrCat("dicom: cannot set ", DcmTag(tag).getTagName()));
    }
  }
  if (lossy) (void)data.putAndInsertString(DCM_LossyImageCompressionMethod, "ISO_10918_1");
  if (image.pixel_size_mm > 0) {
    const std::string spacing = absl::StrFormat("%.6g\\%.6g", image.pixel_size_mm, image.pixel_size_mm);
    (void)data.putAndInsertString(DCM_PixelSpacing, spacing.c_str());
  }
  (void)data.insertEmptyElement(DCM_AcquisitionContextSequence);
  (void)data.putAndInsertUint16(DCM_SamplesPerPixel, 3);
  (void)data.putAndInsertUint16(DCM_PlanarConfiguration, 0);
  (void)data.putAndInsertUint16(DCM_Rows, static_cast<Uint16>(rgb.rows));
  (void)data.putAndInsertUint16(DCM_Columns, static_cast<Uint16>(rgb.cols));
  (void)data.putAndInsertUint16(DCM_BitsAllocated, 8);
  (void)data.putAndInsertUint16(DCM_BitsStored, 8);
  (void)data.putAndInsertUint16(DCM_HighBit, 7);
  (void)data.putAndInsertUint16(DCM_PixelRepresentation, 0);
  const cv::Mat packed = rgb.isContinuous() ? rgb : rgb.clone();
  if (data.putAndInsertUint8Array(DCM_PixelData, packed.data, packed.total() * packed.elemSize()).bad()) {
    return absl::InternalError("dicom: cannot set the pixel data");
  }
  const OFCondition saved = file.saveFile(path.c_str(), EXS_LittleEndianExplicit);
  if (saved.bad()) return absl::InternalError(absl::StrCat("dicom: cannot write ", path, ": ", saved.text()));
  return absl::OkStatus();
}

}  // namespace telederm::dicom
