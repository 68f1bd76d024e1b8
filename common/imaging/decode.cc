#include "common/imaging/decode.h"

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

namespace telederm::imaging {
namespace {

constexpr unsigned char kPngSignature[8] = {0x89, 'P', 'N', 'G',
                                            0x0D, 0x0A, 0x1A, 0x0A};

unsigned At(std::string_view bytes, size_t i) {
  return static_cast<unsigned char>(bytes[i]);
}

unsigned ReadBigEndian16(std::string_view bytes, size_t i) {
  return (At(bytes, i) << 8) | At(bytes, i + 1);
}

uint32_t ReadBigEndian32(std::string_view bytes, size_t i) {
  return (static_cast<uint32_t>(At(bytes, i)) << 24) |
         (static_cast<uint32_t>(At(bytes, i + 1)) << 16) |
         (static_cast<uint32_t>(At(bytes, i + 2)) << 8) | At(bytes, i + 3);
}

absl::Status Truncated(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(
      "the ", what,
      " file is incomplete (the upload was probably interrupted): send the "
      "photo again"));
}

absl::Status Corrupt(absl::string_view what, absl::string_view detail) {
  return absl::InvalidArgumentError(absl::StrCat(
      "the ", what, " file is damaged (", detail,
      "): send the original photo from the camera again"));
}

// Start-of-frame markers carry the frame size; DHT (C4), JPG (C8) and DAC (CC)
// share the range but are not frames.
bool IsStartOfFrame(unsigned marker) {
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 &&
         marker != 0xC8 && marker != 0xCC;
}

// Walks the marker segments up to the first start-of-frame. Also checks that
// an end-of-image marker follows the start of scan: entropy-coded data cannot
// contain FF D9, so its absence means the file was cut off (libjpeg would
// otherwise silently fill the missing rows with grey).
absl::StatusOr<ImageHeader> ReadJpegHeader(std::string_view bytes) {
  ImageHeader header;
  header.format = ImageFormat::kJpeg;
  size_t pos = 2;
  bool have_frame = false;
  while (true) {
    if (pos >= bytes.size()) return Truncated("JPEG");
    if (At(bytes, pos) != 0xFF) {
      return Corrupt("JPEG", "a header segment is malformed");
    }
    while (pos < bytes.size() && At(bytes, pos) == 0xFF) ++pos;  // Fill bytes.
    if (pos >= bytes.size()) return Truncated("JPEG");
    const unsigned marker = At(bytes, pos++);
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;
    if (marker == 0xD8 || marker == 0xD9) {
      return Corrupt("JPEG", "unexpected marker in the header");
    }
    if (pos + 2 > bytes.size()) return Truncated("JPEG");
    const unsigned length = ReadBigEndian16(bytes, pos);
    if (length < 2) return Corrupt("JPEG", "a header segment is malformed");
    if (IsStartOfFrame(marker) && !have_frame) {
      if (pos + 7 > bytes.size()) return Truncated("JPEG");
      header.height = static_cast<int>(ReadBigEndian16(bytes, pos + 3));
      header.width = static_cast<int>(ReadBigEndian16(bytes, pos + 5));
      if (header.width == 0 || header.height == 0) {
        return Corrupt("JPEG", "the header declares an empty image");
      }
      have_frame = true;
    }
    if (marker == 0xDA) {  // Start of scan: compressed pixels follow.
      if (!have_frame) return Corrupt("JPEG", "no frame header before the scan");
      const size_t scan = pos + length;
      if (scan > bytes.size()) return Truncated("JPEG");
      for (size_t i = bytes.size() - 1; i > scan; --i) {
        if (At(bytes, i) == 0xD9 && At(bytes, i - 1) == 0xFF) return header;
      }
      return Truncated("JPEG");
    }
    pos += length;
  }
}

absl::StatusOr<ImageHeader> ReadPngHeader(std::string_view bytes) {
  // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4).
  if (bytes.size() < 24) return Truncated("PNG");
  if (bytes.substr(12, 4) != "IHDR") {
    return Corrupt("PNG", "the first chunk is not IHDR");
  }
  ImageHeader header;
  header.format = ImageFormat::kPng;
  const uint32_t width = ReadBigEndian32(bytes, 16);
  const uint32_t height = ReadBigEndian32(bytes, 20);
  // The PNG specification limits each dimension to 2^31 - 1.
  if (width == 0 || height == 0 || width > 0x7FFFFFFFu ||
      height > 0x7FFFFFFFu) {
    return Corrupt("PNG", "the header declares an invalid size");
  }
  header.width = static_cast<int>(width);
  header.height = static_cast<int>(height);
  // A complete PNG ends with the IEND chunk (length, type, CRC: 12 bytes).
  if (bytes.size() < 24 + 12 ||
      bytes.substr(bytes.size() - 8, 4) != "IEND") {
    return Truncated("PNG");
  }
  return header;
}

absl::string_view FormatName(ImageFormat format) {
  const std::string_view name = ImageFormatName(format);
  return absl::string_view(name.data(), name.size());
}

}  // namespace

ImageFormat SniffImageFormat(std::string_view bytes) {
  if (bytes.size() >= 3 && At(bytes, 0) == 0xFF && At(bytes, 1) == 0xD8 &&
      At(bytes, 2) == 0xFF) {
    return ImageFormat::kJpeg;
  }
  if (bytes.size() >= sizeof(kPngSignature) &&
      std::memcmp(bytes.data(), kPngSignature, sizeof(kPngSignature)) == 0) {
    return ImageFormat::kPng;
  }
  return ImageFormat::kUnknown;
}

std::string_view ImageFormatName(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg:
      return "jpeg";
    case ImageFormat::kPng:
      return "png";
    case ImageFormat::kUnknown:
      break;
  }
  return "unknown";
}

absl::StatusOr<ImageHeader> ReadImageHeader(std::string_view bytes) {
  switch (SniffImageFormat(bytes)) {
    case ImageFormat::kJpeg:
      return ReadJpegHeader(bytes);
    case ImageFormat::kPng:
      return ReadPngHeader(bytes);
    case ImageFormat::kUnknown:
      break;
  }
  if (bytes.empty()) {
    return absl::InvalidArgumentError(
        "the image file is empty: send the photo again");
  }
  return absl::InvalidArgumentError(
      "the file is not a JPEG or PNG image: send the photo as JPEG (the "
      "camera's normal format) or PNG");
}

absl::StatusOr<cv::Mat> DecodeImage(std::string_view bytes,
                                    const DecodeOptions& options) {
  absl::StatusOr<ImageHeader> header = ReadImageHeader(bytes);
  if (!header.ok()) return header.status();
  const int64_t pixels =
      static_cast<int64_t>(header->width) * static_cast<int64_t>(header->height);
  if (pixels > options.max_pixels) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the image is ", header->width, "x", header->height, " pixels (",
        pixels / 1'000'000, " megapixels), above the limit of ",
        options.max_pixels / 1'000'000,
        " megapixels: send it at the camera's normal resolution"));
  }
  int flags = cv::IMREAD_COLOR;
  switch (options.reduction) {
    case 1:
      break;
    case 2:
      flags = cv::IMREAD_REDUCED_COLOR_2;
      break;
    case 4:
      flags = cv::IMREAD_REDUCED_COLOR_4;
      break;
    case 8:
      flags = cv::IMREAD_REDUCED_COLOR_8;
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "decode reduction must be 1, 2, 4 or 8, not ", options.reduction));
  }
  // imdecode only reads the buffer; the const_cast never leads to a write.
  const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1,
                       const_cast<char*>(bytes.data()));
  cv::Mat image;
  try {
    image = cv::imdecode(buffer, flags);
  } catch (const cv::Exception& e) {
    return Corrupt(FormatName(header->format), "it cannot be decoded");
  }
  if (image.empty()) {
    return Corrupt(FormatName(header->format), "it cannot be decoded");
  }
  return image;
}

int ChooseReduction(const ImageHeader& header, int min_long_side) {
  const int long_side = std::max(header.width, header.height);
  int reduction = 1;
  while (reduction < 8 && long_side / (reduction * 2) >= min_long_side) {
    reduction *= 2;
  }
  return reduction;
}

}  // namespace telederm::imaging
