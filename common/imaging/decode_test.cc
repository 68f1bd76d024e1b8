#include "common/imaging/decode.h"

#include <string>

#include "absl/status/status.h"
#include "common/imaging/test_images.h"
#include "gtest/gtest.h"
#include "opencv2/imgcodecs.hpp"

namespace telederm::imaging {
namespace {

using ::telederm::imaging::testing::EncodeJpeg;
using ::telederm::imaging::testing::EncodePng;
using ::telederm::imaging::testing::RoundEvenLesion;

// A PNG consisting only of a signature, an IHDR declaring width x height and
// an IEND chunk: no pixel data at all (CRCs are not checked by the sniffer).
std::string PngHeaderOnly(uint32_t width, uint32_t height) {
  std::string png("\x89PNG\r\n\x1a\n", 8);
  auto put32 = [&](uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) png.push_back(static_cast<char>(v >> shift));
  };
  put32(13);
  png += "IHDR";
  put32(width);
  put32(height);
  png += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB.
  put32(0);                                      // CRC.
  put32(0);
  png += "IEND";
  put32(0xAE426082);
  return png;
}

// Rewrites the frame size in a JPEG's SOF0 header.
std::string WithJpegFrameSize(std::string jpeg, int width, int height) {
  const size_t sof = jpeg.find("\xFF\xC0");
  EXPECT_NE(sof, std::string::npos);
  jpeg[sof + 5] = static_cast<char>(height >> 8);
  jpeg[sof + 6] = static_cast<char>(height & 0xFF);
  jpeg[sof + 7] = static_cast<char>(width >> 8);
  jpeg[sof + 8] = static_cast<char>(width & 0xFF);
  return jpeg;
}

class DecodeTest : public ::testing::Test {
 protected:
  const cv::Mat image_ = RoundEvenLesion({640, 480});
};

TEST_F(DecodeTest, JpegHeaderGivesSizeWithoutDecoding) {
  absl::StatusOr<ImageHeader> header = ReadImageHeader(EncodeJpeg(image_));
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->format, ImageFormat::kJpeg);
  EXPECT_EQ(header->width, 640);
  EXPECT_EQ(header->height, 480);
}

TEST_F(DecodeTest, PngHeaderGivesSizeWithoutDecoding) {
  absl::StatusOr<ImageHeader> header = ReadImageHeader(EncodePng(image_));
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->format, ImageFormat::kPng);
  EXPECT_EQ(header->width, 640);
  EXPECT_EQ(header->height, 480);
}

TEST_F(DecodeTest, PngBytesDeclaredAsJpegStillDecode) {
  // The caller may have been told "image/jpeg"; only the bytes count.
  const std::string png_named_jpeg = EncodePng(image_);
  EXPECT_EQ(SniffImageFormat(png_named_jpeg), ImageFormat::kPng);
  absl::StatusOr<cv::Mat> decoded = DecodeImage(png_named_jpeg);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->size(), image_.size());
  EXPECT_EQ(decoded->type(), CV_8UC3);
}

TEST_F(DecodeTest, GifIsRefusedAsInvalidArgument) {
  const std::string gif("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!"
                        "\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01"
                        "\x00\x00\x02\x02D\x01\x00;", 43);
  absl::StatusOr<cv::Mat> decoded = DecodeImage(gif);
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("not a JPEG or PNG"), absl::string_view::npos)
      << decoded.status();
}

TEST_F(DecodeTest, BmpIsRefusedAsInvalidArgument) {
  std::vector<uchar> bmp;
  ASSERT_TRUE(cv::imencode(".bmp", image_, bmp));  // OpenCV could decode it.
  absl::StatusOr<cv::Mat> decoded = DecodeImage(std::string(bmp.begin(), bmp.end()));
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(DecodeTest, TextIsRefusedAsInvalidArgument) {
  EXPECT_EQ(DecodeImage("patient has a mole on the left shoulder").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeImage("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(DecodeTest, TruncatedJpegIsRefusedAsIncomplete) {
  const std::string jpeg = EncodeJpeg(image_);
  absl::StatusOr<cv::Mat> decoded = DecodeImage(jpeg.substr(0, jpeg.size() * 2 / 3));
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("incomplete"), absl::string_view::npos)
      << decoded.status();
}

TEST_F(DecodeTest, JpegCutInsideItsHeaderIsRefused) {
  const std::string jpeg = EncodeJpeg(image_);
  EXPECT_EQ(DecodeImage(jpeg.substr(0, 40)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(DecodeTest, TruncatedPngIsRefusedAsIncomplete) {
  const std::string png = EncodePng(image_);
  absl::StatusOr<cv::Mat> decoded = DecodeImage(png.substr(0, png.size() / 2));
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("incomplete"), absl::string_view::npos);
}

TEST_F(DecodeTest, PngClaiming100000By100000IsRefusedBeforeDecoding) {
  // The file holds no pixels: had the decoder run, it would have failed as
  // damaged, not as too large.
  absl::StatusOr<cv::Mat> decoded = DecodeImage(PngHeaderOnly(100000, 100000));
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("above the limit"), absl::string_view::npos)
      << decoded.status();
}

TEST_F(DecodeTest, JpegWhoseHeaderClaimsHugeFrameIsRefusedBeforeDecoding) {
  const std::string bomb = WithJpegFrameSize(EncodeJpeg(image_), 60000, 60000);
  absl::StatusOr<cv::Mat> decoded = DecodeImage(bomb);
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(decoded.status().message().find("above the limit"), absl::string_view::npos)
      << decoded.status();
}

TEST_F(DecodeTest, PixelLimitIsConfigurable) {
  DecodeOptions options;
  options.max_pixels = 640 * 480 - 1;
  EXPECT_EQ(DecodeImage(EncodeJpeg(image_), options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.max_pixels = 640 * 480;
  EXPECT_TRUE(DecodeImage(EncodeJpeg(image_), options).ok());
}

TEST_F(DecodeTest, ReducedDecodeShrinksJpegAndPng) {
  for (const std::string& bytes : {EncodeJpeg(image_), EncodePng(image_)}) {
    DecodeOptions options;
    options.reduction = 4;
    absl::StatusOr<cv::Mat> decoded = DecodeImage(bytes, options);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->cols, 640 / 4);
    EXPECT_EQ(decoded->rows, 480 / 4);
  }
}

TEST_F(DecodeTest, UnsupportedReductionIsInvalidArgument) {
  DecodeOptions options;
  options.reduction = 3;
  EXPECT_EQ(DecodeImage(EncodeJpeg(image_), options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ChooseReductionTest, KeepsLongSideAtOrAboveTarget) {
  EXPECT_EQ(ChooseReduction({ImageFormat::kJpeg, 4000, 3000}, 512), 4);
  EXPECT_EQ(ChooseReduction({ImageFormat::kJpeg, 1024, 768}, 512), 2);
  EXPECT_EQ(ChooseReduction({ImageFormat::kJpeg, 600, 450}, 512), 1);
  EXPECT_EQ(ChooseReduction({ImageFormat::kJpeg, 8000, 6000}, 512), 8);
}

}  // namespace
}  // namespace telederm::imaging
