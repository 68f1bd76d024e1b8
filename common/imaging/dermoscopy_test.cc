#include "common/imaging/dermoscopy.h"

#include <algorithm>
#include <string>

#include "common/imaging/quality.h"
#include "common/imaging/risk.h"
#include "common/imaging/test_images.h"
#include "gtest/gtest.h"
#include "opencv2/imgproc.hpp"

namespace telederm::imaging {
namespace {

using ::telederm::imaging::testing::IrregularLesion;
using ::telederm::imaging::testing::RoundEvenLesion;
using ::telederm::imaging::testing::Skin;

DermoscopyFindings Analyze(const cv::Mat& image) {
  const cv::Mat working = ToWorkingSize(image, QualityThresholds().working_long_side);
  const LesionSegmentation s = SegmentLesion(working, Modality::kDermoscopy);
  EXPECT_TRUE(s.found);
  return AnalyzeDermoscopy(working, s);
}

std::string ColourNames(const DermoscopyFindings& f) {
  std::string names;
  for (StolzColour c : f.colours) names += std::string(StolzColourName(c)) + ";";
  return names;
}

bool HasColour(const DermoscopyFindings& f, StolzColour c) {
  return std::find(f.colours.begin(), f.colours.end(), c) != f.colours.end();
}

// An image of a filled ellipse in one colour on skin; `edge_blur` softens
// the edge (0: abrupt).
cv::Mat Ellipse(const cv::Scalar& colour, double edge_blur, cv::Size axes = {200, 140},
                cv::Size size = {1024, 768}) {
  cv::Mat image = Skin(size);
  cv::Mat alpha = cv::Mat::zeros(size, CV_32F);
  cv::ellipse(alpha, cv::Point(size.width / 2, size.height / 2), axes, 0, 0, 360,
              cv::Scalar(1.0), cv::FILLED);
  if (edge_blur > 0) cv::GaussianBlur(alpha, alpha, cv::Size(), edge_blur);
  cv::Mat alpha3, image_f, colour_f(size, CV_32FC3, colour);
  cv::merge(std::vector<cv::Mat>{alpha, alpha, alpha}, alpha3);
  image.convertTo(image_f, CV_32FC3);
  image_f = image_f.mul(cv::Scalar::all(1.0) - alpha3) + colour_f.mul(alpha3);
  image_f.convertTo(image, CV_8UC3);
  return image;
}

class DermoscopyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    round_ = new DermoscopyFindings(Analyze(RoundEvenLesion()));
    irregular_ = new DermoscopyFindings(Analyze(IrregularLesion()));
  }
  static void TearDownTestSuite() {
    delete round_;
    delete irregular_;
  }
  static const DermoscopyFindings* round_;
  static const DermoscopyFindings* irregular_;
};
const DermoscopyFindings* DermoscopyTest::round_ = nullptr;
const DermoscopyFindings* DermoscopyTest::irregular_ = nullptr;

TEST_F(DermoscopyTest, IrregularLesionIsMoreAsymmetricThanRoundOne) {
  EXPECT_EQ(round_->asymmetry, 0);
  EXPECT_GT(irregular_->asymmetry, round_->asymmetry);
  EXPECT_GT(irregular_->shape_asymmetry[0] + irregular_->shape_asymmetry[1],
            round_->shape_asymmetry[0] + round_->shape_asymmetry[1]);
}

TEST_F(DermoscopyTest, AbruptEdgesScoreMoreBorderSegmentsThanAFadingEdge) {
  EXPECT_GT(irregular_->border_abrupt_segments, round_->border_abrupt_segments);
}

TEST_F(DermoscopyTest, ManyColouredLesionCountsMoreColoursThanSingleColoured) {
  EXPECT_EQ(round_->ColourScore(), 1);
  EXPECT_GE(irregular_->ColourScore(), 4) << ColourNames(*irregular_);
  EXPECT_TRUE(HasColour(*irregular_, StolzColour::kBlueGrey));
  EXPECT_TRUE(HasColour(*irregular_, StolzColour::kBlack));
}

TEST_F(DermoscopyTest, DotsAreDetectedOnlyWhereThereAreDots) {
  EXPECT_TRUE(irregular_->structures.dots || irregular_->structures.globules);
  EXPECT_FALSE(round_->structures.dots);
  EXPECT_FALSE(round_->structures.globules);
}

TEST_F(DermoscopyTest, TotalDermoscopyScoreAndTierOrderTheLesions) {
  EXPECT_GT(irregular_->TotalDermoscopyScore(), round_->TotalDermoscopyScore());
  EXPECT_LT(round_->TotalDermoscopyScore(), 4.75);
  EXPECT_GT(irregular_->TotalDermoscopyScore(), 5.45);
  EXPECT_GT(SuspicionForRisk(DermoscopyRisk(*irregular_)),
            SuspicionForRisk(DermoscopyRisk(*round_)));
}

TEST_F(DermoscopyTest, SevenPointChecklistFindsMoreInTheIrregularLesion) {
  EXPECT_GT(irregular_->seven_point.Score(), round_->seven_point.Score());
  EXPECT_EQ(round_->seven_point.Score(), 0);
}

TEST(DermoscopyColourTest, ConstructedColoursAreClassifiedAsTheirStolzColour) {
  struct Case {
    cv::Scalar bgr;
    StolzColour expected;
  };
  const Case cases[] = {
      {cv::Scalar(70, 110, 165), StolzColour::kLightBrown},
      {cv::Scalar(40, 65, 110), StolzColour::kDarkBrown},
      {cv::Scalar(12, 12, 14), StolzColour::kBlack},
      {cv::Scalar(150, 120, 95), StolzColour::kBlueGrey},
      {cv::Scalar(70, 60, 215), StolzColour::kRed},
  };
  for (const Case& c : cases) {
    const DermoscopyFindings f = Analyze(Ellipse(c.bgr, 0));
    EXPECT_TRUE(HasColour(f, c.expected))
        << StolzColourName(c.expected) << " found " << ColourNames(f);
    EXPECT_EQ(f.colours.size(), 1u)
        << StolzColourName(c.expected) << " found " << ColourNames(f);
  }
}

TEST(DermoscopyColourTest, SkinColourIsNotAStolzColour) {
  cv::Mat lab;
  cv::Mat skin(1, 1, CV_32FC3, cv::Scalar(170 / 255.0, 185 / 255.0, 225 / 255.0));
  cv::cvtColor(skin, lab, cv::COLOR_BGR2Lab);
  const cv::Mat classes = ClassifyStolzColours(lab, lab.at<cv::Vec3f>(0, 0)[0],
                                               lab.at<cv::Vec3f>(0, 0)[1]);
  EXPECT_EQ(classes.at<schar>(0, 0), -1);
}

TEST(DermoscopyBorderTest, SharpEdgedEllipseHasMoreAbruptSegmentsThanBlurredOne) {
  const DermoscopyFindings sharp = Analyze(Ellipse(cv::Scalar(25, 45, 85), 0));
  const DermoscopyFindings soft = Analyze(Ellipse(cv::Scalar(25, 45, 85), 25));
  EXPECT_GT(sharp.border_abrupt_segments, soft.border_abrupt_segments);
  EXPECT_EQ(sharp.border_abrupt_segments, 8);
}

TEST(DermoscopyAsymmetryTest, EllipseIsSymmetricAndBulgingEllipseIsNot) {
  const DermoscopyFindings ellipse = Analyze(Ellipse(cv::Scalar(70, 110, 165), 0));
  EXPECT_EQ(ellipse.asymmetry, 0);
  cv::Mat bulging = Ellipse(cv::Scalar(70, 110, 165), 0);
  cv::circle(bulging, cv::Point(512 + 150, 384 - 110), 90, cv::Scalar(70, 110, 165),
             cv::FILLED);
  EXPECT_GT(Analyze(bulging).asymmetry, 0);
}

TEST(DermoscopyAsymmetryTest, HalfDarkHalfLightLesionIsAsymmetricInColour) {
  cv::Mat image = Ellipse(cv::Scalar(70, 110, 165), 0);
  cv::Mat half = Ellipse(cv::Scalar(25, 45, 85), 0);
  half(cv::Rect(0, 0, 512, 768)).copyTo(image(cv::Rect(0, 0, 512, 768)));
  const DermoscopyFindings f = Analyze(image);
  EXPECT_GT(std::max(f.colour_asymmetry[0], f.colour_asymmetry[1]),
            DermoscopyOptions().asymmetric_colour_above);
  EXPECT_GE(f.asymmetry, 1);
}

TEST(DermoscopyStructureTest, BlueWhitishVeilIsDetectedInABlueGreyLesion) {
  cv::Mat image = Ellipse(cv::Scalar(70, 110, 165), 0);
  cv::ellipse(image, cv::Point(560, 384), cv::Size(110, 90), 0, 0, 360,
              cv::Scalar(165, 140, 120), cv::FILLED);
  EXPECT_TRUE(Analyze(image).seven_point.blue_whitish_veil);
  EXPECT_FALSE(Analyze(Ellipse(cv::Scalar(70, 110, 165), 0)).seven_point.blue_whitish_veil);
}

TEST(DermoscopyScoreTest, TdsFollowsStolzWeights) {
  DermoscopyFindings f;
  f.asymmetry = 2;
  f.border_abrupt_segments = 5;
  f.colours = {StolzColour::kLightBrown, StolzColour::kDarkBrown, StolzColour::kBlack,
               StolzColour::kBlueGrey};
  f.structures.pigment_network = true;
  f.structures.dots = true;
  f.structures.branched_streaks = true;
  EXPECT_DOUBLE_EQ(f.TotalDermoscopyScore(), 1.3 * 2 + 0.1 * 5 + 0.5 * 4 + 0.5 * 3);
}

TEST(DermoscopyScoreTest, ColoursAndStructuresScoreAtLeastOne) {
  const DermoscopyFindings nothing;
  EXPECT_EQ(nothing.ColourScore(), 1);
  EXPECT_EQ(nothing.StructureScore(), 1);
  EXPECT_DOUBLE_EQ(nothing.TotalDermoscopyScore(), 1.0);
}

TEST(DermoscopyScoreTest, SevenPointWeighsMajorCriteriaDouble) {
  SevenPointChecklist c;
  c.blue_whitish_veil = true;
  EXPECT_EQ(c.Score(), 2);
  c.irregular_pigmentation = true;
  EXPECT_EQ(c.Score(), 3);
  c.atypical_pigment_network = true;
  EXPECT_EQ(c.Score(), 5);
}

}  // namespace
}  // namespace telederm::imaging
