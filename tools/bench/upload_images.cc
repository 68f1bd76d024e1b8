#include "tools/bench/upload_images.h"

#include <cmath>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"
#include "common/blob/blob_store.h"

namespace telederm::bench {
namespace {

std::string Encode(const cv::Mat& base, UploadFormat format, int side, uint64_t seed) {
  cv::Mat scaled;
  cv::resize(base, scaled, cv::Size(side, side * base.rows / base.cols), 0, 0, cv::INTER_LINEAR);
  cv::Mat noise(scaled.size(), scaled.type());
  cv::RNG rng(seed);
  // A phone's 12 MP JPEG is 3 to 5 MB: sensor noise keeps JPEG from shrinking
  // the upscaled sample far below that, as it does in a real photo.
  rng.fill(noise, cv::RNG::UNIFORM, 0, format == UploadFormat::kJpeg ? 40 : 10);
  scaled += noise;
  std::vector<uchar> encoded;
  if (format == UploadFormat::kJpeg) {
    cv::imencode(".jpg", scaled, encoded, {cv::IMWRITE_JPEG_QUALITY, 95});
  } else {
    cv::imencode(".png", scaled, encoded, {cv::IMWRITE_PNG_COMPRESSION, 1});
  }
  return std::string(encoded.begin(), encoded.end());
}

}  // namespace

const char* UploadFormatName(UploadFormat format) { return format == UploadFormat::kJpeg ? "JPEG" : "PNG"; }

absl::StatusOr<std::vector<UploadImage>> MakeUploadImages(const std::string& sample_jpeg, UploadFormat format,
                                                          int mib, int count) {
  cv::Mat base = cv::imread(sample_jpeg, cv::IMREAD_COLOR);
  if (base.empty()) return absl::NotFoundError(absl::StrCat("cannot read ", sample_jpeg));
  const double target = mib * 1024.0 * 1024.0;
  int side = 1000;
  for (int i = 0; i < 3; ++i) {  // the size grows with the area: two corrections suffice
    const double size = static_cast<double>(Encode(base, format, side, 1).size());
    side = static_cast<int>(side * std::sqrt(target / size));
  }
  std::vector<UploadImage> images;
  for (int i = 0; i < count; ++i) {
    UploadImage image;
    auto bytes = std::make_shared<std::string>(Encode(base, format, side, 1000 + i));
    image.sha256 = Sha256Hex(*bytes);
    image.bytes = std::move(bytes);
    image.mib = mib;
    image.megapixels = side * (static_cast<double>(side) * base.rows / base.cols) / 1e6;
    images.push_back(std::move(image));
  }
  return images;
}

}  // namespace telederm::bench
