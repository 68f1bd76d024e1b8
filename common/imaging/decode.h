// Safe decoding of uploaded skin images.
//
// Only JPEG and PNG are accepted, recognised from their first bytes (the type a
// client declares is ignored). The image dimensions are read from the JPEG SOF
// or PNG IHDR header before any pixel is decoded, so a decompression bomb is
// refused without allocating its pixels. Every refusal is INVALID_ARGUMENT with
// a message a clinic worker can act on.
//
// All functions are pure and safe to call concurrently.
#ifndef TELEDERM_COMMON_IMAGING_DECODE_H_
#define TELEDERM_COMMON_IMAGING_DECODE_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "opencv2/core.hpp"

namespace telederm::imaging {

enum class ImageFormat { kUnknown, kJpeg, kPng };

// What the header says, before decoding.
struct ImageHeader {
  ImageFormat format = ImageFormat::kUnknown;
  int width = 0;
  int height = 0;
};

struct DecodeOptions {
  // Images whose header declares more pixels than this are refused before
  // decoding. 50 MP is above any phone or dermatoscope camera in clinical use.
  int64_t max_pixels = 50'000'000;
  // Decode at 1/reduction of the full size: 1, 2, 4 or 8. JPEG is then decoded
  // directly at the smaller scale (much faster); PNG is decoded and resized.
  int reduction = 1;
};

// Recognises JPEG (FF D8 FF) and PNG (the 8-byte PNG signature). Anything else,
// including GIF, BMP, TIFF, WebP and text, is kUnknown.
ImageFormat SniffImageFormat(std::string_view bytes);

// Lower-case name of the format: "jpeg", "png" or "unknown".
std::string_view ImageFormatName(ImageFormat format);

// Reads the format and dimensions from the header without decoding pixels.
// INVALID_ARGUMENT if the bytes are not JPEG/PNG or the header is truncated or
// malformed.
absl::StatusOr<ImageHeader> ReadImageHeader(std::string_view bytes);

// Decodes to an 8-bit, 3-channel BGR image (alpha is dropped, grey is
// expanded). INVALID_ARGUMENT for an unsupported format, a header over
// options.max_pixels, or truncated/corrupt data. The size of the result is
// about header size / options.reduction.
absl::StatusOr<cv::Mat> DecodeImage(std::string_view bytes,
                                    const DecodeOptions& options = {});

// The largest reduction in {1, 2, 4, 8} that keeps the longer side of an image
// of `header` at or above `min_long_side` pixels.
int ChooseReduction(const ImageHeader& header, int min_long_side);

}  // namespace telederm::imaging

#endif  // TELEDERM_COMMON_IMAGING_DECODE_H_
