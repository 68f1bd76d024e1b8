#include "common/imaging/quality.h"

#include "common/imaging/test_images.h"
#include "gtest/gtest.h"
#include "opencv2/imgproc.hpp"

namespace telederm::imaging {
namespace {

using ::telederm::imaging::testing::EncodeJpeg;
using ::telederm::imaging::testing::IrregularLesion;
using ::telederm::imaging::testing::ReadTestImage;
using ::telederm::imaging::testing::Skin;

QualityReport Assess(const cv::Mat& image, Modality modality = Modality::kDermoscopy) {
  return AssessQuality(image, image.cols, image.rows, modality);
}

class QualityTest : public ::testing::Test {
 protected:
  const cv::Mat sharp_ = IrregularLesion({1024, 768});
};

TEST_F(QualityTest, SharpWellExposedLargeImagePasses) {
  const QualityReport report = Assess(sharp_);
  EXPECT_TRUE(report.Acceptable());
  EXPECT_TRUE(report.findings.empty()) << report.findings.front().code;
  EXPECT_TRUE(report.measurements.lesion_found);
}

TEST_F(QualityTest, GaussianBlurredCopyIsReportedBlurred) {
  cv::Mat blurred;
  cv::GaussianBlur(sharp_, blurred, cv::Size(), 6.0);
  const QualityReport report = Assess(blurred);
  const QualityFinding* finding = report.Find(kBlurred);
  ASSERT_NE(finding, nullptr);
  EXPECT_LT(report.measurements.focus, Assess(sharp_).measurements.focus);
  EXPECT_LT(finding->measured, finding->threshold);
  EXPECT_NE(finding->message.find("hold the camera still"), std::string::npos);
}

TEST_F(QualityTest, HeavierBlurEscalatesFromWarningToRefusal) {
  cv::Mat slightly, heavily;
  cv::GaussianBlur(sharp_, slightly, cv::Size(), 2.5);
  cv::GaussianBlur(sharp_, heavily, cv::Size(), 12.0);
  const QualityReport slight = Assess(slightly);
  const QualityReport heavy = Assess(heavily);
  ASSERT_NE(heavy.Find(kBlurred), nullptr);
  EXPECT_EQ(heavy.Find(kBlurred)->severity, Severity::kRefusal);
  EXPECT_FALSE(heavy.Acceptable());
  EXPECT_GT(slight.measurements.focus, heavy.measurements.focus);
  if (slight.Find(kBlurred) != nullptr) {
    EXPECT_EQ(slight.Find(kBlurred)->severity, Severity::kWarning);
  }
}

TEST_F(QualityTest, RealDermoscopySampleIsSharpAndItsBlurredCopyIsNot) {
  const std::string bytes = ReadTestImage("ham10000/mel/ISIC_0025248.jpg");
  ASSERT_FALSE(bytes.empty());
  absl::StatusOr<cv::Mat> image = DecodeImage(bytes);
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(Assess(*image).Find(kBlurred), nullptr);
  cv::Mat blurred;
  cv::GaussianBlur(*image, blurred, cv::Size(), 5.0);
  EXPECT_NE(Assess(blurred).Find(kBlurred), nullptr);
}

TEST_F(QualityTest, OverexposedCopyIsReportedOverexposed) {
  cv::Mat bright;
  sharp_.convertTo(bright, -1, 1.6, 60);
  const QualityReport report = Assess(bright);
  const QualityFinding* finding = report.Find(kOverexposed);
  ASSERT_NE(finding, nullptr);
  EXPECT_GT(finding->measured, finding->threshold);
  EXPECT_EQ(Assess(sharp_).Find(kOverexposed), nullptr);
}

TEST_F(QualityTest, UnderexposedCopyIsReportedUnderexposed) {
  cv::Mat dark;
  sharp_.convertTo(dark, -1, 0.08, 0);
  const QualityReport report = Assess(dark, Modality::kClinicalCloseUp);
  ASSERT_NE(report.Find(kUnderexposed), nullptr);
  EXPECT_EQ(report.Find(kUnderexposed)->severity, Severity::kRefusal);
  EXPECT_EQ(Assess(sharp_, Modality::kClinicalCloseUp).Find(kUnderexposed), nullptr);
}

TEST_F(QualityTest, DermatoscopeVignetteIsNotCountedAsUnderexposure) {
  const QualityReport report = Assess(testing::WithVignette(sharp_));
  EXPECT_EQ(report.Find(kUnderexposed), nullptr);
  EXPECT_TRUE(report.measurements.lesion_found);
}

TEST_F(QualityTest, Image300x200IsRefusedForResolution) {
  cv::Mat small;
  cv::resize(sharp_, small, cv::Size(300, 200), 0, 0, cv::INTER_AREA);
  const QualityReport report = Assess(small);
  const QualityFinding* finding = report.Find(kLowResolution);
  ASSERT_NE(finding, nullptr);
  EXPECT_EQ(finding->severity, Severity::kRefusal);
  EXPECT_FALSE(report.Acceptable());
}

TEST_F(QualityTest, Image700x500IsWarnedButAccepted) {
  cv::Mat small;
  cv::resize(sharp_, small, cv::Size(700, 500), 0, 0, cv::INTER_AREA);
  const QualityReport report = Assess(small);
  const QualityFinding* finding = report.Find(kLowResolution);
  ASSERT_NE(finding, nullptr);
  EXPECT_EQ(finding->severity, Severity::kWarning);
  EXPECT_TRUE(report.Acceptable());
}

TEST_F(QualityTest, PortraitOrientationIsJudgedLikeLandscape) {
  cv::Mat portrait;
  cv::rotate(sharp_, portrait, cv::ROTATE_90_CLOCKWISE);
  EXPECT_EQ(Assess(portrait).Find(kLowResolution), nullptr);
  EXPECT_EQ(Assess(portrait).Find(kBelowPreferredResolution), nullptr);
}

TEST_F(QualityTest, BetweenGuidelineMinimumAndPreferredIsAMildWarning) {
  cv::Mat medium;
  cv::resize(sharp_, medium, cv::Size(900, 675), 0, 0, cv::INTER_AREA);
  const QualityReport report = Assess(medium);
  EXPECT_EQ(report.Find(kLowResolution), nullptr);
  ASSERT_NE(report.Find(kBelowPreferredResolution), nullptr);
  EXPECT_EQ(report.Find(kBelowPreferredResolution)->severity, Severity::kWarning);
}

TEST_F(QualityTest, ThresholdsAreConfigurable) {
  cv::Mat small;
  cv::resize(sharp_, small, cv::Size(700, 500), 0, 0, cv::INTER_AREA);
  QualityThresholds lenient;
  lenient.min_long_side = 640;
  lenient.min_short_side = 480;
  lenient.preferred_long_side = 640;
  lenient.preferred_short_side = 480;
  const QualityReport report =
      AssessQuality(small, small.cols, small.rows, Modality::kDermoscopy, lenient);
  EXPECT_EQ(report.Find(kLowResolution), nullptr);
  EXPECT_EQ(report.Find(kBelowPreferredResolution), nullptr);
}

TEST_F(QualityTest, DermoscopyOfPlainSkinIsRefusedAsNoLesionInFrame) {
  const QualityReport report = Assess(Skin({1024, 768}));
  const QualityFinding* finding = report.Find(kNoLesionInFrame);
  ASSERT_NE(finding, nullptr);
  EXPECT_EQ(finding->severity, Severity::kRefusal);
  // Clinical photos are not required to frame a single lesion.
  EXPECT_EQ(Assess(Skin({1024, 768}), Modality::kClinicalOverview).Find(kNoLesionInFrame),
            nullptr);
}

TEST_F(QualityTest, LesionRunningOffTheFrameIsWarned) {
  // Frame the lesion so its centre sits near the left edge.
  cv::Mat off_centre;
  cv::resize(sharp_(cv::Rect(462, 192, 512, 384)), off_centre, cv::Size(1024, 768));
  const QualityReport report = Assess(off_centre);
  ASSERT_NE(report.Find(kLesionCutOff), nullptr);
  EXPECT_EQ(report.Find(kLesionCutOff)->severity, Severity::kWarning);
  EXPECT_EQ(Assess(sharp_).Find(kLesionCutOff), nullptr);
}

TEST_F(QualityTest, FocusFigureDoesNotDependOnResolution) {
  cv::Mat larger;
  cv::resize(sharp_, larger, cv::Size(2048, 1536), 0, 0, cv::INTER_CUBIC);
  const double base = Assess(sharp_).measurements.focus;
  const double scaled = Assess(larger).measurements.focus;
  EXPECT_GT(scaled, base / 1.5);
  EXPECT_LT(scaled, base * 1.5);
}

TEST_F(QualityTest, RefusalsAreListedBeforeWarnings) {
  cv::Mat small_blurred;
  cv::resize(sharp_, small_blurred, cv::Size(700, 500), 0, 0, cv::INTER_AREA);
  cv::GaussianBlur(small_blurred, small_blurred, cv::Size(), 12.0);
  const QualityReport report = Assess(small_blurred);
  ASSERT_GE(report.findings.size(), 2u);
  EXPECT_EQ(report.findings.front().severity, Severity::kRefusal);
  EXPECT_EQ(report.findings.back().severity, Severity::kWarning);
}

TEST_F(QualityTest, EncodedCheckReportsOriginalSizeAfterReducedDecode) {
  cv::Mat large;
  cv::resize(sharp_, large, cv::Size(4000, 3000), 0, 0, cv::INTER_LINEAR);
  absl::StatusOr<QualityReport> report =
      CheckImageQuality(EncodeJpeg(large), Modality::kDermoscopy);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->measurements.width, 4000);
  EXPECT_EQ(report->measurements.height, 3000);
  EXPECT_EQ(report->Find(kLowResolution), nullptr);
}

TEST_F(QualityTest, EncodedCheckPassesOnDecodeErrors) {
  EXPECT_EQ(CheckImageQuality("not an image", Modality::kDermoscopy).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace telederm::imaging
