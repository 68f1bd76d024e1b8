#include "common/images/thumbnail.h"

#include <vector>

#include <gtest/gtest.h>

#include "common/imaging/decode.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"
#include "tests/harness/files.h"

namespace telederm::images {
namespace {

const std::string kDermoscopy = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0027001.jpg";
const std::string kClinicalPhoto = std::string(TELEDERM_TEST_DATA_DIR) + "/images/pad-ufes-20/PAT_1161_578_233.jpg";

TEST(ThumbnailTest, LongSideBecomes256AndTheShapeIsKept) {
  for (const std::string& path : {kDermoscopy, kClinicalPhoto}) {
    const std::string original = testing::ReadFileBytes(path);
    absl::StatusOr<std::string> thumbnail = MakeThumbnail(original, 50'000'000);
    ASSERT_TRUE(thumbnail.ok()) << thumbnail.status();
    auto made = imaging::ReadImageHeader(*thumbnail);
    auto source = imaging::ReadImageHeader(original);
    ASSERT_TRUE(made.ok() && source.ok());
    EXPECT_EQ(made->format, imaging::ImageFormat::kJpeg);
    EXPECT_EQ(std::max(made->width, made->height), kThumbnailLongSide) << path;
    EXPECT_NEAR(static_cast<double>(made->width) / made->height,
                static_cast<double>(source->width) / source->height, 0.01) << path;
  }
}

TEST(ThumbnailTest, SmallImageIsNeverUpscaled) {
  const std::string jpeg = testing::ReadFileBytes(kDermoscopy);
  cv::Mat image = cv::imdecode(cv::Mat(1, static_cast<int>(jpeg.size()), CV_8U, const_cast<char*>(jpeg.data())),
                               cv::IMREAD_COLOR);
  cv::resize(image, image, cv::Size(120, 90), 0, 0, cv::INTER_AREA);
  std::vector<unsigned char> png;
  cv::imencode(".png", image, png);
  absl::StatusOr<std::string> thumbnail = MakeThumbnail(std::string(png.begin(), png.end()), 50'000'000);
  ASSERT_TRUE(thumbnail.ok()) << thumbnail.status();
  auto made = imaging::ReadImageHeader(*thumbnail);
  EXPECT_EQ(made->format, imaging::ImageFormat::kJpeg);
  EXPECT_EQ(made->width, 120);
  EXPECT_EQ(made->height, 90);
}

TEST(ThumbnailTest, BytesThatAreNoImageAreInvalid) {
  EXPECT_EQ(MakeThumbnail("not an image", 50'000'000).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace telederm::images
