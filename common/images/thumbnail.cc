#include "common/images/thumbnail.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/imaging/decode.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

namespace telederm::images {
namespace {

// Enough for lesion outlines and colours at 256 px; a thumbnail is 10-20 KB.
constexpr int kJpegQuality = 85;

}  // namespace

absl::StatusOr<std::string> MakeThumbnail(std::string_view original, int64_t max_pixels) {
  absl::StatusOr<imaging::ImageHeader> header = imaging::ReadImageHeader(original);
  if (!header.ok()) return header.status();
  imaging::DecodeOptions options;
  options.max_pixels = max_pixels;
  // JPEG decodes straight at 1/2, 1/4 or 1/8 while that keeps 256 px.
  options.reduction = imaging::ChooseReduction(*header, kThumbnailLongSide);
  absl::StatusOr<cv::Mat> image = imaging::DecodeImage(original, options);
  if (!image.ok()) return image.status();
  cv::Mat thumbnail = *image;
  const int long_side = std::max(image->cols, image->rows);
  if (long_side > kThumbnailLongSide) {
    const double scale = static_cast<double>(kThumbnailLongSide) / long_side;
    const int width = image->cols >= image->rows ? kThumbnailLongSide
                                                 : std::max(1, static_cast<int>(std::lround(image->cols * scale)));
    const int height = image->rows > image->cols ? kThumbnailLongSide
                                                 : std::max(1, static_cast<int>(std::lround(image->rows * scale)));
    cv::resize(*image, thumbnail, cv::Size(width, height), 0, 0, cv::INTER_AREA);
  }
  std::vector<unsigned char> encoded;
  if (!cv::imencode(".jpg", thumbnail, encoded, {cv::IMWRITE_JPEG_QUALITY, kJpegQuality})) {
    return absl::InternalError("the thumbnail could not be encoded as JPEG");
  }
  return std::string(encoded.begin(), encoded.end());
}

}  // namespace telederm::images
