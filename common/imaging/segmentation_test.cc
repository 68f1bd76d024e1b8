#include "common/imaging/segmentation.h"

#include "common/imaging/quality.h"
#include "common/imaging/test_images.h"
#include "gtest/gtest.h"
#include "opencv2/imgproc.hpp"

namespace telederm::imaging {
namespace {

using ::telederm::imaging::testing::IrregularLesion;
using ::telederm::imaging::testing::RoundEvenLesion;
using ::telederm::imaging::testing::Skin;
using ::telederm::imaging::testing::WithVignette;

// Segments at the working size and scales the mask back up.
LesionSegmentation SegmentAtWorkingSize(const cv::Mat& image, Modality modality,
                                        cv::Mat* full_size_mask) {
  const cv::Mat working = ToWorkingSize(image, QualityThresholds().working_long_side);
  LesionSegmentation s = SegmentLesion(working, modality);
  if (s.found) {
    cv::resize(s.mask, *full_size_mask, image.size(), 0, 0, cv::INTER_NEAREST);
  }
  return s;
}

TEST(SegmentationTest, RoundLesionMatchesItsConstruction) {
  cv::Mat truth, mask;
  const cv::Mat image = RoundEvenLesion({1024, 768}, &truth);
  const LesionSegmentation s = SegmentAtWorkingSize(image, Modality::kDermoscopy, &mask);
  ASSERT_TRUE(s.found);
  EXPECT_GT(DiceCoefficient(mask, truth), 0.85);
  EXPECT_GT(s.contrast, 0);
}

TEST(SegmentationTest, IrregularManyColouredLesionIsSegmentedWhole) {
  // Light parts (white, blue-grey) inside a dark lesion must not be cut out.
  cv::Mat truth, mask;
  const cv::Mat image = IrregularLesion({1024, 768}, &truth);
  const LesionSegmentation s = SegmentAtWorkingSize(image, Modality::kDermoscopy, &mask);
  ASSERT_TRUE(s.found);
  EXPECT_GT(DiceCoefficient(mask, truth), 0.85);
}

TEST(SegmentationTest, DermatoscopeVignetteIsOutsideTheFieldOfView) {
  const cv::Mat image = WithVignette(RoundEvenLesion({512, 384}));
  const LesionSegmentation s = SegmentLesion(image, Modality::kDermoscopy);
  ASSERT_TRUE(s.found);
  EXPECT_EQ(s.field_of_view.at<uchar>(0, 0), 0);
  EXPECT_EQ(s.field_of_view.at<uchar>(383, 511), 0);
  EXPECT_EQ(s.field_of_view.at<uchar>(192, 256), 255);
  // The lesion, not the black corners, is what was found.
  EXPECT_EQ(s.mask.at<uchar>(0, 0), 0);
  EXPECT_EQ(s.mask.at<uchar>(192, 256), 255);
  EXPECT_LT(s.edge_contact, 0.1);
}

TEST(SegmentationTest, ClinicalPhotosHaveNoVignetteExclusion) {
  const cv::Mat image = WithVignette(RoundEvenLesion({512, 384}));
  EXPECT_EQ(cv::countNonZero(FieldOfView(image, Modality::kClinicalCloseUp)),
            512 * 384);
}

TEST(SegmentationTest, PlainSkinHasNoLesion) {
  EXPECT_FALSE(SegmentLesion(Skin({512, 384}), Modality::kDermoscopy).found);
  EXPECT_FALSE(SegmentLesion(Skin({512, 384}), Modality::kClinicalCloseUp).found);
}

TEST(SegmentationTest, UnevenLightingDoesNotHideAClinicalLesion) {
  cv::Mat truth;
  cv::Mat image = RoundEvenLesion({512, 384}, &truth);
  // Light falling off from left to right, as from a window.
  cv::Mat gain(image.size(), CV_32F);
  for (int x = 0; x < image.cols; ++x) gain.col(x).setTo(1.0 - 0.5 * x / image.cols);
  cv::Mat image_f;
  image.convertTo(image_f, CV_32FC3);
  cv::Mat gain3;
  cv::merge(std::vector<cv::Mat>{gain, gain, gain}, gain3);
  image_f = image_f.mul(gain3);
  image_f.convertTo(image, CV_8UC3);
  const LesionSegmentation s = SegmentLesion(image, Modality::kClinicalCloseUp);
  ASSERT_TRUE(s.found);
  EXPECT_GT(DiceCoefficient(s.mask, truth), 0.8);
}

TEST(DiceCoefficientTest, CountsOverlapOfTwoMasks) {
  cv::Mat a = cv::Mat::zeros(10, 10, CV_8U), b = cv::Mat::zeros(10, 10, CV_8U);
  EXPECT_EQ(DiceCoefficient(a, b), 1.0);
  a(cv::Rect(0, 0, 5, 10)).setTo(255);  // 50 pixels.
  b(cv::Rect(0, 0, 10, 5)).setTo(1);    // 50 pixels, 25 shared.
  EXPECT_DOUBLE_EQ(DiceCoefficient(a, b), 0.5);
  EXPECT_DOUBLE_EQ(DiceCoefficient(a, a), 1.0);
}

}  // namespace
}  // namespace telederm::imaging
