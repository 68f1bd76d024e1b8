#include "tools/bench/upload_images.h"

#include <cmath>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "absl/strings/str_cat.h"
#include "common/blob/blob_store.h"

namespace telederm::bench {
namespace {

std::string Encode(const cv::Mat& base, int side, uint64_t seed) {
  cv::Mat scaled;
  cv::resize(base, scaled, cv::Size(side, side * base.rows / base.cols), 0, 0, cv::INTER_LINEAR);
  cv::Mat noise(scaled.size(), scaled.type());
  cv::RNG rng(seed);
  rng.fill(noise, cv::RNG::UNIFORM, 0, 10);
  scaled += noise;
  std::vector<uchar> png;
  cv::imencode(".png", scaled, png, {cv::IMWRITE_PNG_COMPRESSION, 1});
  return std::string(png.begin(), png.end());
}

}  // namespace

absl::StatusOr<std::vector<UploadImage>> MakeUploadImages(const std::string& sample_jpeg, int mib, int count) {
  cv::Mat base = cv::imread(sample_jpeg, cv::IMREAD_COLOR);
  if (base.empty()) return absl::NotFoundError(absl::StrCat("cannot read ", sample_jpeg));
  const double target = mib * 1024.0 * 1024.0;
  int side = 1000;
  for (int i = 0; i < 3; ++i) {  // the size grows with the area: two corrections suffice
    const double size = static_cast<double>(Encode(base, side, 1).size());
    side = static_cast<int>(side * std::sqrt(target / size));
  }
  std::vector<UploadImage> images;
  for (int i = 0; i < count; ++i) {
    UploadImage image;
    auto bytes = std::make_shared<std::string>(Encode(base, side, 1000 + i));
    image.sha256 = Sha256Hex(*bytes);
    image.bytes = std::move(bytes);
    image.mib = mib;
    images.push_back(std::move(image));
  }
  return images;
}

}  // namespace telederm::bench
