#ifndef TELEDERM_TOOLS_BENCH_UPLOAD_IMAGES_H_
#define TELEDERM_TOOLS_BENCH_UPLOAD_IMAGES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace telederm::bench {

// A PNG the quality gate accepts, of about `mib` MiB.
struct UploadImage {
  std::shared_ptr<const std::string> bytes;
  std::string sha256;
  int mib = 0;
};

// `count` distinct images of about `mib` MiB each, made from `sample_jpeg`
// (scaled up, with a little noise so that each one is different and PNG
// cannot shrink it much). Distinct, because intake skips the bytes of an image
// it already holds.
absl::StatusOr<std::vector<UploadImage>> MakeUploadImages(const std::string& sample_jpeg, int mib, int count);

}  // namespace telederm::bench

#endif  // TELEDERM_TOOLS_BENCH_UPLOAD_IMAGES_H_
