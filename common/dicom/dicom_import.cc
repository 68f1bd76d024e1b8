#include "common/dicom/dicom_import.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/dicom/dicom_attributes.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcistrmb.h"
#include "dcmtk/dcmdata/dcmetinf.h"
#include "dcmtk/dcmdata/dcpixel.h"
#include "dcmtk/dcmdata/dcpixseq.h"
#include "dcmtk/dcmdata/dcpxitem.h"
#include "dcmtk/dcmdata/dcxfer.h"
#include "opencv2/core.hpp"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

namespace telederm::dicom {
namespace {

constexpr size_t kPreambleBytes = 128;
constexpr char kExportAgain[] = "export the image again from the dermatoscope or PACS";
// Values read at parse time are at most this long; longer ones are loaded on
// use, and only after their declared length is checked against the file.
constexpr Uint32 kParseTimeValueBytes = 4096;
// An attribute telederm reads (UIDs, codes, dates, code meanings) is short.
constexpr Uint32 kAttributeBytes = 1024;

// DCMTK allocates an element's declared length when it loads the value, and a
// damaged file may declare gigabytes in a few bytes. Reading from a stream
// that can be reopened at an offset (as DCMTK's file streams can) makes it
// defer every value longer than kParseTimeValueBytes instead; each is then
// loaded only through Bounded(), after its length is checked.
class MemoryStreamFactory final : public DcmInputStreamFactory {
 public:
  MemoryStreamFactory(absl::string_view bytes, offile_off_t offset) : bytes_(bytes), offset_(offset) {}
  DcmInputStream* create() const override;
  DcmInputStreamFactory* clone() const override { return new MemoryStreamFactory(bytes_, offset_); }
  DcmInputStreamFactoryType ident() const override { return DFT_DcmInputFileStreamFactory; }

 private:
  const absl::string_view bytes_;
  const offile_off_t offset_;
};

class MemoryStream final : public DcmInputBufferStream {
 public:
  explicit MemoryStream(absl::string_view bytes) : bytes_(bytes) {
    setBuffer(bytes.data(), static_cast<offile_off_t>(bytes.size()));
    setEos();
  }
  DcmInputStreamFactory* newFactory() const override { return new MemoryStreamFactory(bytes_, tell()); }

 private:
  const absl::string_view bytes_;
};

DcmInputStream* MemoryStreamFactory::create() const {
  auto* stream = new MemoryStream(bytes_);
  stream->skip(offset_);
  return stream;
}

// The element at `tag` in `item`, when it is there and declares at most `limit` bytes.
DcmElement* Bounded(DcmItem& item, const DcmTagKey& tag, Uint32 limit) {
  DcmElement* element = nullptr;
  if (item.findAndGetElement(tag, element).bad() || element == nullptr) return nullptr;
  return element->getLengthField() <= limit ? element : nullptr;
}

absl::Status Refuse(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("dicom: ", what));
}

std::string StringOf(DcmItem& item, const DcmTagKey& tag) {
  OFString value;
  DcmElement* element = Bounded(item, tag, kAttributeBytes);
  if (element == nullptr || element->getOFString(value, 0).bad()) return "";
  return std::string(absl::StripAsciiWhitespace(value.c_str()));
}

Uint16 Uint16Of(DcmItem& item, const DcmTagKey& tag) {
  Uint16 value = 0;
  if (DcmElement* element = Bounded(item, tag, kAttributeBytes)) (void)element->getUint16(value, 0);
  return value;
}

// Printable ASCII only, at most `limit` characters: the value is shown to people.
std::string Printable(const std::string& text, size_t limit) {
  std::string kept;
  for (char c : text) {
    if (kept.size() == limit) break;
    if (c >= 0x20 && c < 0x7f) kept.push_back(c);
  }
  return kept;
}

// The JPEG without APP1..APP13, APP15 and COM segments (EXIF, XMP, ICC
// comments and free text may name the patient); APP0 (JFIF) and APP14
// (Adobe, the colour transform) stay. Bytes after the last end-of-image
// marker (the fragment's padding) are dropped.
absl::StatusOr<std::string> StripJpegMetadata(absl::string_view jpeg) {
  const absl::Status damaged = Refuse(absl::StrCat("the JPEG in the pixel data is damaged: ", kExportAgain));
  if (jpeg.size() < 4 || jpeg.substr(0, 3) != "\xFF\xD8\xFF") return damaged;
  const size_t end = jpeg.rfind("\xFF\xD9");
  if (end == absl::string_view::npos) return damaged;
  jpeg = jpeg.substr(0, end + 2);
  std::string kept(jpeg.substr(0, 2));
  size_t at = 2;
  while (at + 4 <= jpeg.size()) {
    if (static_cast<unsigned char>(jpeg[at]) != 0xFF) return damaged;
    const unsigned char marker = static_cast<unsigned char>(jpeg[at + 1]);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0xDA) {  // start of scan: the rest is entropy-coded data
      absl::StrAppend(&kept, jpeg.substr(at));
      return kept;
    }
    const size_t length = (static_cast<unsigned char>(jpeg[at + 2]) << 8) | static_cast<unsigned char>(jpeg[at + 3]);
    if (length < 2 || at + 2 + length > jpeg.size()) return damaged;
    const bool metadata = (marker >= 0xE1 && marker <= 0xED) || marker == 0xEF || marker == 0xFE;
    if (!metadata) absl::StrAppend(&kept, jpeg.substr(at, 2 + length));
    at += 2 + length;
  }
  return damaged;
}

absl::StatusOr<std::string> EncapsulatedJpeg(DcmPixelData& pixels, E_TransferSyntax xfer, size_t file_bytes) {
  DcmPixelSequence* sequence = nullptr;
  if (pixels.getEncapsulatedRepresentation(xfer, nullptr, sequence).bad() || sequence == nullptr) {
    return Refuse(absl::StrCat("the pixel data is not encapsulated as its transfer syntax says: ", kExportAgain));
  }
  std::string jpeg;
  // Item 0 is the basic offset table; the fragments of the one frame follow.
  for (unsigned long i = 1; i < sequence->card(); ++i) {
    DcmPixelItem* fragment = nullptr;
    Uint8* data = nullptr;
    if (sequence->getItem(fragment, i).bad() || fragment == nullptr) continue;
    if (fragment->getLengthField() == 0) continue;
    if (fragment->getLengthField() > file_bytes) {
      return Refuse(absl::StrCat("the file is damaged or incomplete: ", kExportAgain));
    }
    if (fragment->getUint8Array(data).bad() || data == nullptr) continue;
    jpeg.append(reinterpret_cast<const char*>(data), fragment->getLength());
  }
  return StripJpegMetadata(jpeg);
}

absl::StatusOr<std::string> UncompressedAsPng(DcmDataset& dataset, DcmPixelData& pixels, int rows, int columns,
                                              size_t file_bytes) {
  const Uint16 samples = Uint16Of(dataset, DCM_SamplesPerPixel);
  const Uint16 bits = Uint16Of(dataset, DCM_BitsAllocated);
  const Uint16 planar = Uint16Of(dataset, DCM_PlanarConfiguration);
  const Uint16 representation = Uint16Of(dataset, DCM_PixelRepresentation);
  const std::string photometric = StringOf(dataset, DCM_PhotometricInterpretation);
  if (bits != 8 || representation != 0) {
    return Refuse(absl::StrCat("pixel data of ", bits,
                               " bits per sample is not supported: export the photo with 8 bits per sample"));
  }
  const bool colour = samples == 3 && photometric == "RGB";
  const bool grey = samples == 1 && (photometric == "MONOCHROME2" || photometric == "MONOCHROME1");
  if (!colour && !grey) {
    return Refuse(absl::StrCat("uncompressed pixel data in ", Printable(photometric, 16), " with ", samples,
                               " samples per pixel is not supported: export the photo as RGB or as JPEG baseline"));
  }
  Uint8* data = nullptr;
  const size_t needed = static_cast<size_t>(rows) * static_cast<size_t>(columns) * samples;
  if (pixels.getLengthField() < needed || pixels.getLengthField() > file_bytes || pixels.getUint8Array(data).bad() ||
      data == nullptr) {
    return Refuse(absl::StrCat("the pixel data is shorter than Rows x Columns say; the file is incomplete: ",
                               kExportAgain));
  }
  cv::Mat image;
  if (grey) {
    image = cv::Mat(rows, columns, CV_8UC1, data).clone();
    if (photometric == "MONOCHROME1") cv::bitwise_not(image, image);
  } else if (planar == 0) {
    cv::cvtColor(cv::Mat(rows, columns, CV_8UC3, data), image, cv::COLOR_RGB2BGR);
  } else {
    const size_t plane = static_cast<size_t>(rows) * columns;
    std::vector<cv::Mat> bgr = {cv::Mat(rows, columns, CV_8UC1, data + 2 * plane),
                                cv::Mat(rows, columns, CV_8UC1, data + plane), cv::Mat(rows, columns, CV_8UC1, data)};
    cv::merge(bgr, image);
  }
  std::vector<uchar> png;
  if (!cv::imencode(".png", image, png)) return absl::InternalError("dicom: PNG encoding failed");
  return std::string(png.begin(), png.end());
}

std::string BodyPart(DcmDataset& dataset) {
  DcmItem* region = nullptr;
  if (dataset.findAndGetSequenceItem(DCM_AnatomicRegionSequence, region, 0).good() && region != nullptr) {
    std::string meaning = Printable(StringOf(*region, DCM_CodeMeaning), 64);
    if (!meaning.empty()) return meaning;
  }
  return Printable(StringOf(dataset, DCM_BodyPartExamined), 64);
}

std::optional<absl::Time> AcquiredAt(DcmDataset& dataset) {
  if (auto at = ParseDicomDateTime(StringOf(dataset, DCM_AcquisitionDateTime))) return at;
  if (auto at = ParseDicomDateTime(StringOf(dataset, DCM_AcquisitionDate) + StringOf(dataset, DCM_AcquisitionTime))) {
    return at;
  }
  return ParseDicomDateTime(StringOf(dataset, DCM_ContentDate) + StringOf(dataset, DCM_ContentTime));
}

}  // namespace

bool IsDicomFile(absl::string_view bytes) {
  return bytes.size() >= kPreambleBytes + 4 && bytes.substr(kPreambleBytes, 4) == "DICM";
}

absl::StatusOr<ImportedImage> ImportDicom(absl::string_view bytes, const ImportOptions& options) {
  if (!IsDicomFile(bytes)) return Refuse("not a DICOM Part-10 file (no DICM after the 128-byte preamble)");
  SilenceDcmtkLogger();
  MemoryStream stream(bytes);
  DcmFileFormat file;
  file.transferInit();
  const OFCondition read = file.read(stream, EXS_Unknown, EGL_noChange, kParseTimeValueBytes);
  file.transferEnd();
  DcmDataset& dataset = *file.getDataset();
  if (read.bad()) {
    // DCMTK's condition ("Invalid stream", ...) tells a clinic nothing more.
    return Refuse(absl::StrCat("the file is damaged or incomplete: ", kExportAgain));
  }
  std::string sop_class = StringOf(dataset, DCM_SOPClassUID);
  if (sop_class.empty()) sop_class = StringOf(*file.getMetaInfo(), DCM_MediaStorageSOPClassUID);
  if (sop_class != kVlPhotographicImageStorage && sop_class != kDermoscopicPhotographyImageStorage) {
    return Refuse(absl::StrCat("SOP class ", Printable(sop_class, 64),
                               " is not a skin photograph: send VL Photographic Image (",
                               kVlPhotographicImageStorage, ") or Dermoscopic Photography Image (",
                               kDermoscopicPhotographyImageStorage, ") Storage"));
  }
  const Uint16 rows = Uint16Of(dataset, DCM_Rows);
  const Uint16 columns = Uint16Of(dataset, DCM_Columns);
  if (rows == 0 || columns == 0) return Refuse(absl::StrCat("Rows and Columns are missing: ", kExportAgain));
  if (static_cast<int64_t>(rows) * columns > options.max_pixels) {
    return Refuse(absl::StrCat("the image is ", columns, "x", rows, " pixels, above the limit of ",
                               options.max_pixels / 1'000'000, " megapixels: export it at a smaller size"));
  }
  Sint32 frames = 1;
  DcmElement* number_of_frames = Bounded(dataset, DCM_NumberOfFrames, kAttributeBytes);
  if (number_of_frames != nullptr && number_of_frames->getSint32(frames, 0).good() && frames != 1) {
    return Refuse(absl::StrCat("the file holds ", frames, " frames: send one image per file"));
  }
  DcmElement* element = nullptr;
  if (dataset.findAndGetElement(DCM_PixelData, element).bad() || element == nullptr ||
      element->ident() != EVR_PixelData) {
    return Refuse(absl::StrCat("the file has no pixel data: ", kExportAgain));
  }
  DcmPixelData& pixels = *static_cast<DcmPixelData*>(element);

  ImportedImage image;
  const E_TransferSyntax xfer = dataset.getOriginalXfer();
  if (xfer == EXS_JPEGProcess1) {
    absl::StatusOr<std::string> jpeg = EncapsulatedJpeg(pixels, xfer, bytes.size());
    if (!jpeg.ok()) return jpeg.status();
    image.encoded = *std::move(jpeg);
    image.content_type = "image/jpeg";
  } else if (xfer == EXS_LittleEndianExplicit || xfer == EXS_LittleEndianImplicit) {
    absl::StatusOr<std::string> png = UncompressedAsPng(dataset, pixels, rows, columns, bytes.size());
    if (!png.ok()) return png.status();
    image.encoded = *std::move(png);
    image.content_type = "image/png";
  } else {
    return Refuse(absl::StrCat("pixel data in ", DcmXfer(xfer).getXferName(),
                               " is not supported: export the image as JPEG baseline or uncompressed"));
  }
  image.dermoscopic = sop_class == kDermoscopicPhotographyImageStorage;
  image.modality = Printable(StringOf(dataset, DCM_Modality), 16);
  image.body_part = BodyPart(dataset);
  Float64 spacing = 0;
  DcmElement* pixel_spacing = Bounded(dataset, DCM_PixelSpacing, kAttributeBytes);
  if (pixel_spacing != nullptr && pixel_spacing->getFloat64(spacing, 0).good() && spacing > 0 && spacing <= 10) {
    image.pixel_spacing_mm = spacing;
  }
  image.acquired_at = AcquiredAt(dataset);
  return image;
}

}  // namespace telederm::dicom
