#ifndef TELEDERM_TOOLS_BENCH_UPLOAD_IMAGES_H_
#define TELEDERM_TOOLS_BENCH_UPLOAD_IMAGES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace telederm::bench {

// How an upload image is encoded: a camera JPEG (quality 92, what clinics'
// phones and dermatoscopes send) or a PNG (lossless: the costliest to decode,
// nothing can be skipped).
enum class UploadFormat { kJpeg, kPng };
const char* UploadFormatName(UploadFormat format);  // "JPEG", "PNG"

// An image the quality gate accepts, of about `mib` MiB.
struct UploadImage {
  std::shared_ptr<const std::string> bytes;
  std::string sha256;
  int mib = 0;
  double megapixels = 0;
};

// `count` distinct images of about `mib` MiB each, made from `sample_jpeg`
// (scaled up, with a little noise, as a camera sensor adds, so that each one
// is different and neither format can shrink it much). Distinct, because
// intake skips the bytes of an image it already holds.
absl::StatusOr<std::vector<UploadImage>> MakeUploadImages(const std::string& sample_jpeg, UploadFormat format,
                                                          int mib, int count);

}  // namespace telederm::bench

#endif  // TELEDERM_TOOLS_BENCH_UPLOAD_IMAGES_H_
