#include "common/imaging/lesion_analyzer.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "common/imaging/test_images.h"
#include "gtest/gtest.h"
#include "opencv2/imgproc.hpp"

namespace telederm::imaging {
namespace {

using ::telederm::imaging::testing::EncodeJpeg;
using ::telederm::imaging::testing::EncodePng;
using ::telederm::imaging::testing::IrregularLesion;
using ::telederm::imaging::testing::RoundEvenLesion;

class LesionAnalyzerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<LesionAnalyzerPtr> analyzer = LesionAnalyzer::Create({});
    ASSERT_TRUE(analyzer.ok()) << analyzer.status();
    analyzer_ = *std::move(analyzer);
  }

  ImageAssessment Analyze(const cv::Mat& image, Modality modality = Modality::kDermoscopy,
                          std::optional<double> pixel_size_mm = std::nullopt) {
    absl::StatusOr<ImageAssessment> a =
        analyzer_->Analyze(EncodeJpeg(image), modality, pixel_size_mm);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? *a : ImageAssessment{};
  }

  LesionAnalyzerPtr analyzer_;
  const cv::Mat round_ = RoundEvenLesion();
  const cv::Mat irregular_ = IrregularLesion();
};

TEST_F(LesionAnalyzerTest, IrregularLesionOutranksRoundOne) {
  const ImageAssessment round = Analyze(round_);
  const ImageAssessment irregular = Analyze(irregular_);
  ASSERT_TRUE(round.analysable) << round.not_analysable_reason;
  ASSERT_TRUE(irregular.analysable) << irregular.not_analysable_reason;
  EXPECT_GT(irregular.risk, round.risk);
  EXPECT_GT(irregular.suspicion, round.suspicion);
  EXPECT_EQ(round.suspicion, Suspicion::kLow);
  EXPECT_EQ(irregular.suspicion, Suspicion::kHighlySuspicious);
  ASSERT_TRUE(irregular.dermoscopy.has_value());
  EXPECT_FALSE(irregular.clinical.has_value());
  EXPECT_FALSE(irregular.model_malignant_probability.has_value());
}

TEST_F(LesionAnalyzerTest, ExplanationGivesTheScoreAndItsParts) {
  const ImageAssessment a = Analyze(irregular_);
  bool has_tds = false, has_seven_point = false;
  for (const std::string& line : a.explanation) {
    if (line.find("TDS ") != std::string::npos &&
        line.find("blue-grey") != std::string::npos) {
      has_tds = true;
    }
    if (line.find("7-point checklist score") != std::string::npos) has_seven_point = true;
  }
  EXPECT_TRUE(has_tds);
  EXPECT_TRUE(has_seven_point);
}

TEST_F(LesionAnalyzerTest, MethodNamesLibraryAndVersion) {
  EXPECT_EQ(Analyze(round_).method, "telederm-dermoscopy-abcd/1.2.0");
}

TEST_F(LesionAnalyzerTest, BlurredImageIsNotAnalysableAndSaysWhatToDo) {
  cv::Mat blurred;
  cv::GaussianBlur(irregular_, blurred, cv::Size(), 12.0);
  const ImageAssessment a = Analyze(blurred);
  EXPECT_FALSE(a.analysable);
  EXPECT_EQ(a.suspicion, Suspicion::kNotAssessed);
  EXPECT_NE(a.not_analysable_reason.find("blurred"), std::string::npos);
  EXPECT_NE(a.quality.Find(kBlurred), nullptr);
}

TEST_F(LesionAnalyzerTest, ConfocalAndUltrasoundGoToAHuman) {
  for (Modality modality : {Modality::kConfocalMicroscopy, Modality::kUltrasound}) {
    const ImageAssessment a = Analyze(irregular_, modality);
    EXPECT_FALSE(a.analysable);
    EXPECT_EQ(a.suspicion, Suspicion::kNotAssessed);
    EXPECT_NE(a.not_analysable_reason.find("dermatologist"), std::string::npos);
  }
}

TEST_F(LesionAnalyzerTest, OverviewPhotoAsksForACloseUp) {
  const ImageAssessment a = Analyze(irregular_, Modality::kClinicalOverview);
  EXPECT_FALSE(a.analysable);
  EXPECT_NE(a.not_analysable_reason.find("close-up"), std::string::npos);
}

TEST_F(LesionAnalyzerTest, UndecodableBytesAreInvalidArgument) {
  EXPECT_EQ(analyzer_->Analyze("GIF89a....", Modality::kDermoscopy).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string jpeg = EncodeJpeg(round_);
  EXPECT_EQ(analyzer_->Analyze(jpeg.substr(0, jpeg.size() / 2), Modality::kDermoscopy)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(LesionAnalyzerTest, PngIsAnalysedLikeJpeg) {
  absl::StatusOr<ImageAssessment> a =
      analyzer_->Analyze(EncodePng(irregular_), Modality::kDermoscopy, std::nullopt);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(a->analysable);
  EXPECT_EQ(a->suspicion, Analyze(irregular_).suspicion);
}

TEST_F(LesionAnalyzerTest, CloseUpReportsDiameterOnlyWhenPixelSizeIsKnown) {
  // The round lesion's radius is 768/5 = 153 pixels: 307 pixels across.
  const double pixel_mm = 0.02;  // So about 6.1 mm.
  const ImageAssessment unknown = Analyze(round_, Modality::kClinicalCloseUp);
  const ImageAssessment known = Analyze(round_, Modality::kClinicalCloseUp, pixel_mm);
  ASSERT_TRUE(known.analysable) << known.not_analysable_reason;
  ASSERT_TRUE(known.clinical.has_value());
  EXPECT_FALSE(known.dermoscopy.has_value());
  EXPECT_FALSE(unknown.clinical->diameter_mm.has_value());
  ASSERT_TRUE(known.clinical->diameter_mm.has_value());
  EXPECT_NEAR(*known.clinical->diameter_mm, 2 * 153 * pixel_mm, 0.15 * 2 * 153 * pixel_mm);
  // Twice the pixel size: twice the diameter, over 6 mm, and a higher risk.
  const ImageAssessment larger = Analyze(round_, Modality::kClinicalCloseUp, 2 * pixel_mm);
  EXPECT_TRUE(larger.clinical->large_diameter);
  EXPECT_GT(larger.risk, Analyze(round_, Modality::kClinicalCloseUp, pixel_mm / 2).risk);
}

TEST_F(LesionAnalyzerTest, CloseUpOfIrregularLesionOutranksRoundOne) {
  const ImageAssessment round = Analyze(round_, Modality::kClinicalCloseUp);
  const ImageAssessment irregular = Analyze(irregular_, Modality::kClinicalCloseUp);
  ASSERT_TRUE(round.analysable && irregular.analysable);
  EXPECT_GT(irregular.risk, round.risk);
  EXPECT_GT(irregular.clinical->SignsPresent(), round.clinical->SignsPresent());
}

TEST_F(LesionAnalyzerTest, ConcurrentAnalysesAgree) {
  const std::string bytes = EncodeJpeg(irregular_);
  const double expected = analyzer_->Analyze(bytes, Modality::kDermoscopy)->risk;
  std::vector<std::thread> threads;
  std::vector<double> risks(4, -1);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      absl::StatusOr<ImageAssessment> a = analyzer_->Analyze(bytes, Modality::kDermoscopy);
      if (a.ok()) risks[i] = a->risk;
    });
  }
  for (std::thread& t : threads) t.join();
  for (double r : risks) EXPECT_DOUBLE_EQ(r, expected);
}

TEST(LesionAnalyzerCreateTest, NullModelIsInvalidArgument) {
  std::vector<ImageClassifierPtr> models;
  models.push_back(nullptr);
  EXPECT_EQ(LesionAnalyzer::Create({}, std::move(models)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// The learned-model slot, end to end: the redness model (see
// testdata/make_test_model.py) calls red images malignant.
class LesionAnalyzerWithModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    model_dir_ = testing::MakeRednessModel(&error);
    ASSERT_FALSE(model_dir_.empty()) << error;
    absl::StatusOr<LesionAnalyzerPtr> with_model = LesionAnalyzer::Create({}, Models({"redness.sidecar"}));
    ASSERT_TRUE(with_model.ok()) << with_model.status();
    with_model_ = *std::move(with_model);
    without_model_ = *LesionAnalyzer::Create({});
  }
  void TearDown() override {
    if (!model_dir_.empty()) std::filesystem::remove_all(model_dir_);
  }

  // The lesion image with its red and green channels scaled.
  static std::string Tinted(const cv::Mat& image, double red, double green) {
    cv::Mat tinted;
    image.convertTo(tinted, CV_32FC3);
    tinted = tinted.mul(cv::Scalar(1.0, green, red));
    tinted.convertTo(tinted, CV_8UC3);
    return EncodeJpeg(tinted);
  }

  // The redness model with each of these sidecars (files in model_dir_).
  std::vector<ImageClassifierPtr> Models(const std::vector<std::string>& sidecars) const {
    std::vector<ImageClassifierPtr> models;
    for (const std::string& sidecar : sidecars) {
      absl::StatusOr<ImageClassifierPtr> model =
          ImageClassifier::Load(model_dir_ + "/redness.onnx", model_dir_ + "/" + sidecar);
      EXPECT_TRUE(model.ok()) << model.status();
      if (model.ok()) models.push_back(*std::move(model));
    }
    return models;
  }

  std::string model_dir_;
  LesionAnalyzerPtr with_model_;
  LesionAnalyzerPtr without_model_;
};

TEST_F(LesionAnalyzerWithModelTest, ModelProbabilityIsReportedAndMovesTheRisk) {
  const cv::Mat lesion = IrregularLesion();
  const std::string reddish = Tinted(lesion, 1.0, 0.6);
  const std::string greenish = Tinted(lesion, 0.6, 1.0);
  absl::StatusOr<ImageAssessment> red_with = with_model_->Analyze(reddish, Modality::kDermoscopy);
  absl::StatusOr<ImageAssessment> red_without =
      without_model_->Analyze(reddish, Modality::kDermoscopy);
  absl::StatusOr<ImageAssessment> green_with =
      with_model_->Analyze(greenish, Modality::kDermoscopy);
  absl::StatusOr<ImageAssessment> green_without =
      without_model_->Analyze(greenish, Modality::kDermoscopy);
  ASSERT_TRUE(red_with.ok() && red_without.ok() && green_with.ok() && green_without.ok());
  ASSERT_TRUE(red_with->analysable && green_with->analysable);
  ASSERT_TRUE(red_with->model_malignant_probability.has_value());
  ASSERT_TRUE(green_with->model_malignant_probability.has_value());
  EXPECT_GT(*red_with->model_malignant_probability, 0.5);
  EXPECT_LT(*green_with->model_malignant_probability, 0.5);
  EXPECT_GT(red_with->risk, red_without->risk);
  EXPECT_LT(green_with->risk, green_without->risk);
  EXPECT_NE(with_model_->model(Modality::kDermoscopy), nullptr);
  EXPECT_EQ(with_model_->model(Modality::kClinicalCloseUp), nullptr);
  EXPECT_EQ(without_model_->model(Modality::kDermoscopy), nullptr);
  bool named = false;
  for (const std::string& line : red_with->explanation) {
    named = named || line.rfind("lesion model: malignant ", 0) == 0;
  }
  EXPECT_TRUE(named) << "no 'lesion model: malignant' line";
}

// A sidecar with a calibration puts the risk where CalibratedRisk says,
// whatever the rules find when their weight is 0.
TEST_F(LesionAnalyzerWithModelTest, CalibratedModelDecidesTheTierAtItsOperatingPoints) {
  std::ifstream original(model_dir_ + "/redness.sidecar");
  std::ostringstream sidecar;
  sidecar << original.rdbuf() << "combine = 0, 1, 0\nsoon_from = 0.3\nurgent_from = 0.7\n";
  std::ofstream(model_dir_ + "/calibrated.sidecar") << sidecar.str();
  absl::StatusOr<LesionAnalyzerPtr> calibrated = LesionAnalyzer::Create({}, Models({"calibrated.sidecar"}));
  ASSERT_TRUE(calibrated.ok()) << calibrated.status();
  ModelCalibration calibration{0, 1, 0, 0.3, 0.7};
  for (const std::string& image : {Tinted(IrregularLesion(), 1.0, 0.6), Tinted(IrregularLesion(), 0.6, 1.0)}) {
    absl::StatusOr<ImageAssessment> a = (*calibrated)->Analyze(image, Modality::kDermoscopy);
    ASSERT_TRUE(a.ok() && a->analysable);
    const double p = *a->model_malignant_probability;
    EXPECT_NEAR(a->risk, CalibratedRisk(p, calibration), 1e-9);
    EXPECT_EQ(a->suspicion, p >= 0.7   ? Suspicion::kHighlySuspicious
                            : p >= 0.3 ? Suspicion::kSuspicious
                                       : Suspicion::kLow);
  }
}

// A close-up model (its sidecar says clinical_close_up) screens close-ups
// only; its calibration weighs the form's risk, so a worse form raises the
// image risk and the assessment says the form is already in it.
TEST_F(LesionAnalyzerWithModelTest, CloseUpModelWeighsTheFormAndLeavesDermoscopyToTheRules) {
  std::ifstream original(model_dir_ + "/redness.sidecar");
  std::ostringstream sidecar;
  sidecar << original.rdbuf()
          << "modality = clinical_close_up\ncombine = -1, 1, 0, 3\nsoon_from = 0.3\nurgent_from = 0.7\n";
  std::ofstream(model_dir_ + "/closeup.sidecar") << sidecar.str();
  absl::StatusOr<LesionAnalyzerPtr> analyzer = LesionAnalyzer::Create({}, Models({"closeup.sidecar"}));
  ASSERT_TRUE(analyzer.ok()) << analyzer.status();
  ASSERT_NE((*analyzer)->model(Modality::kClinicalCloseUp), nullptr);
  EXPECT_EQ((*analyzer)->model(Modality::kDermoscopy), nullptr);

  const std::string image = Tinted(IrregularLesion(), 1.0, 0.6);
  absl::StatusOr<ImageAssessment> calm = (*analyzer)->Analyze(image, Modality::kClinicalCloseUp, std::nullopt, 0.0);
  absl::StatusOr<ImageAssessment> worried = (*analyzer)->Analyze(image, Modality::kClinicalCloseUp, std::nullopt, 0.8);
  ASSERT_TRUE(calm.ok() && worried.ok());
  ASSERT_TRUE(calm->analysable && worried->analysable);
  ASSERT_TRUE(calm->model_malignant_probability.has_value());
  EXPECT_TRUE(calm->weighs_form_risk);
  const ModelCalibration calibration{-1, 1, 0, 0.3, 0.7, 3.0};
  const double p = *calm->model_malignant_probability;
  EXPECT_NEAR(calm->risk, CalibratedRisk(CalibratedScore(0, p, calibration, 0.0), calibration), 1e-9);
  EXPECT_NEAR(worried->risk, CalibratedRisk(CalibratedScore(0, p, calibration, 0.8), calibration), 1e-9);
  EXPECT_GT(worried->risk, calm->risk);
  EXPECT_NE(worried->explanation.front().find("with the form's risk 0.80"), std::string::npos)
      << worried->explanation.front();

  absl::StatusOr<ImageAssessment> dermoscopy = (*analyzer)->Analyze(image, Modality::kDermoscopy, std::nullopt, 0.8);
  ASSERT_TRUE(dermoscopy.ok() && dermoscopy->analysable);
  EXPECT_FALSE(dermoscopy->model_malignant_probability.has_value());
  EXPECT_FALSE(dermoscopy->weighs_form_risk);
}

TEST_F(LesionAnalyzerWithModelTest, TwoModelsForOneModalityAreInvalidArgument) {
  absl::StatusOr<LesionAnalyzerPtr> analyzer =
      LesionAnalyzer::Create({}, Models({"redness.sidecar", "redness.sidecar"}));
  EXPECT_EQ(analyzer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(analyzer.status().message().find("two models for dermoscopy images"), std::string::npos)
      << analyzer.status();
}

}  // namespace
}  // namespace telederm::imaging
