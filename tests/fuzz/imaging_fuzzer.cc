// libFuzzer target: what intake does with an uploaded image's bytes — sniff,
// read the header, decode (bounded), run the quality gate.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/imaging/decode.h"
#include "common/imaging/modality.h"
#include "common/imaging/quality.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace telederm::imaging;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)SniffImageFormat(bytes);
  absl::StatusOr<ImageHeader> header = ReadImageHeader(bytes);
  if (!header.ok()) return 0;
  // The services' own limit is 50 MP; a fuzzer's memory budget wants less, and
  // the header check that enforces it is the same code either way.
  DecodeOptions options;
  options.max_pixels = 4'000'000;
  options.reduction = 1 << (size % 4);
  absl::StatusOr<cv::Mat> image = DecodeImage(bytes, options);
  if (!image.ok()) return 0;
  const Modality modality = (size & 1) ? Modality::kDermoscopy : Modality::kClinicalCloseUp;
  (void)CheckImageQuality(bytes, modality, QualityThresholds{}, options);
  return 0;
}
