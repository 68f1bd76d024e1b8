#include "common/imaging/classifier.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "common/imaging/test_images.h"
#include "gtest/gtest.h"

namespace telederm::imaging {
namespace {

constexpr char kSidecar[] = R"(# a comment
classes = benign, malignant, melanoma
malignant = malignant, melanoma   # two malignant classes
input_width = 224
input_height = 192
channel_order = BGR
scale = 1
mean = 104, 117, 123
std = 58, 57, 57
output = probabilities
)";

TEST(ClassifierSidecarTest, ParsesEveryKey) {
  absl::StatusOr<ClassifierSidecar> s = ParseClassifierSidecar(kSidecar);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->class_names, (std::vector<std::string>{"benign", "malignant", "melanoma"}));
  EXPECT_EQ(s->is_malignant, (std::vector<bool>{false, true, true}));
  EXPECT_EQ(s->input_width, 224);
  EXPECT_EQ(s->input_height, 192);
  EXPECT_FALSE(s->rgb);
  EXPECT_EQ(s->scale, 1.0);
  EXPECT_EQ(s->mean[2], 123.0);
  EXPECT_EQ(s->std[0], 58.0);
  EXPECT_FALSE(s->outputs_logits);
}

TEST(ClassifierSidecarTest, MissingRequiredKeyIsInvalidArgument) {
  EXPECT_EQ(ParseClassifierSidecar("classes = a, b\nmalignant = b\n").status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<ClassifierSidecar> s =
      ParseClassifierSidecar("malignant = b\ninput_width = 8\ninput_height = 8\n");
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("classes"), absl::string_view::npos);
}

TEST(ClassifierSidecarTest, UnknownKeyNamesTheLine) {
  absl::StatusOr<ClassifierSidecar> s =
      ParseClassifierSidecar("classes = a, b\nmalignant = b\ncolour = yes\n");
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("line 3"), absl::string_view::npos) << s.status();
}

TEST(ClassifierSidecarTest, MalignantClassMustBeAClass) {
  EXPECT_EQ(ParseClassifierSidecar(
                "classes = a, b\nmalignant = c\ninput_width = 8\ninput_height = 8\n")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ClassifierSidecarTest, ZeroStdIsRefused) {
  EXPECT_EQ(ParseClassifierSidecar("classes = a, b\nmalignant = b\ninput_width = 8\n"
                                   "input_height = 8\nstd = 1, 0, 1\n")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

constexpr char kRequired[] = "classes = a, b\nmalignant = b\ninput_width = 8\ninput_height = 8\n";

TEST(ClassifierSidecarTest, CalibrationIsParsedWhenAllThreeKeysAreThere) {
  EXPECT_FALSE(ParseClassifierSidecar(kRequired)->calibration.has_value());
  absl::StatusOr<ClassifierSidecar> s = ParseClassifierSidecar(
      std::string(kRequired) + "combine = -0.5, 1.25, 2\nsoon_from = 0.1\nurgent_from = 0.4\n");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE(s->calibration.has_value());
  EXPECT_EQ(s->calibration->intercept, -0.5);
  EXPECT_EQ(s->calibration->model_weight, 1.25);
  EXPECT_EQ(s->calibration->rule_weight, 2.0);
  EXPECT_EQ(s->calibration->soon_from, 0.1);
  EXPECT_EQ(s->calibration->urgent_from, 0.4);
}

TEST(ClassifierSidecarTest, ModalityAndAFormWeightAreParsed) {
  EXPECT_EQ(ParseClassifierSidecar(kRequired)->modality, Modality::kDermoscopy);
  EXPECT_FALSE(ParseClassifierSidecar(std::string(kRequired) + "combine = 0, 1, 0\nsoon_from = 0.1\n"
                                      "urgent_from = 0.4\n")->calibration->form_weight.has_value());
  absl::StatusOr<ClassifierSidecar> s = ParseClassifierSidecar(
      std::string(kRequired) +
      "modality = clinical_close_up\ncombine = -0.5, 1.25, 2, 0.75\nsoon_from = 0.1\nurgent_from = 0.4\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->modality, Modality::kClinicalCloseUp);
  ASSERT_TRUE(s->calibration.has_value());
  EXPECT_EQ(s->calibration->form_weight, 0.75);
  EXPECT_EQ(s->calibration->soon_from, 0.1);
  absl::StatusOr<ClassifierSidecar> ultrasound =
      ParseClassifierSidecar(std::string(kRequired) + "modality = ultrasound\n");
  EXPECT_EQ(ultrasound.status().message(),
            "model sidecar line 5: modality must be dermoscopy or clinical_close_up");
}

TEST(ClassifierSidecarTest, IncompleteOrInconsistentCalibrationIsRefused) {
  absl::StatusOr<ClassifierSidecar> partial =
      ParseClassifierSidecar(std::string(kRequired) + "soon_from = 0.1\n");
  EXPECT_EQ(partial.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(partial.status().message(),
            "model sidecar: combine, soon_from and urgent_from go together");
  absl::StatusOr<ClassifierSidecar> reversed = ParseClassifierSidecar(
      std::string(kRequired) + "combine = 0, 1, 0\nsoon_from = 0.5\nurgent_from = 0.4\n");
  EXPECT_EQ(reversed.status().message(), "model sidecar: soon_from must be below urgent_from");
  absl::StatusOr<ClassifierSidecar> decreasing = ParseClassifierSidecar(
      std::string(kRequired) + "combine = 0, -1, 0\n");
  EXPECT_EQ(decreasing.status().message(),
            "model sidecar line 5: combine needs a model weight > 0 and rule and form weights >= 0");
  absl::StatusOr<ClassifierSidecar> negative_form = ParseClassifierSidecar(
      std::string(kRequired) + "combine = 0, 1, 0, -0.5\n");
  EXPECT_EQ(negative_form.status().message(),
            "model sidecar line 5: combine needs a model weight > 0 and rule and form weights >= 0");
  absl::StatusOr<ClassifierSidecar> five = ParseClassifierSidecar(std::string(kRequired) + "combine = 0, 1, 0, 1, 1\n");
  EXPECT_EQ(five.status().message(), "model sidecar line 5: combine needs 3 or 4 comma-separated numbers");
  absl::StatusOr<ClassifierSidecar> outside =
      ParseClassifierSidecar(std::string(kRequired) + "urgent_from = 1\n");
  EXPECT_EQ(outside.status().message(), "model sidecar line 5: urgent_from must be a number in (0, 1)");
}

TEST(ImageClassifierTest, MissingModelFileIsNotFound) {
  EXPECT_EQ(ImageClassifier::Load("/nonexistent/model.onnx", "/nonexistent/model.sidecar")
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

class RednessModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    model_dir_ = new std::string(testing::MakeRednessModel(&error));
    if (model_dir_->empty()) *model_dir_ = "!" + error;
  }
  static void TearDownTestSuite() {
    if (!model_dir_->empty() && (*model_dir_)[0] != '!') {
      std::filesystem::remove_all(*model_dir_);
    }
    delete model_dir_;
  }
  void SetUp() override {
    ASSERT_NE((*model_dir_)[0], '!') << model_dir_->substr(1);
    absl::StatusOr<ImageClassifierPtr> loaded = ImageClassifier::Load(
        *model_dir_ + "/redness.onnx", *model_dir_ + "/redness.sidecar");
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    classifier_ = *std::move(loaded);
  }

  static std::string* model_dir_;
  ImageClassifierPtr classifier_;
  // BGR images; the model sees them as RGB per its sidecar.
  const cv::Mat red_ = cv::Mat(300, 400, CV_8UC3, cv::Scalar(40, 40, 220));
  const cv::Mat green_ = cv::Mat(300, 400, CV_8UC3, cv::Scalar(40, 220, 40));
  const cv::Mat grey_ = cv::Mat(300, 400, CV_8UC3, cv::Scalar(128, 128, 128));
};
std::string* RednessModelTest::model_dir_ = nullptr;

TEST_F(RednessModelTest, RedImageIsMalignantAndGreenBenign) {
  absl::StatusOr<double> red = classifier_->MalignantProbability(red_);
  absl::StatusOr<double> green = classifier_->MalignantProbability(green_);
  ASSERT_TRUE(red.ok()) << red.status();
  ASSERT_TRUE(green.ok()) << green.status();
  EXPECT_GT(*red, 0.5);
  EXPECT_LT(*green, 0.5);
  EXPECT_GT(*red, *green);
}

TEST_F(RednessModelTest, ProbabilitiesAreASoftmaxOverTheClasses) {
  absl::StatusOr<std::vector<double>> p = classifier_->Classify(grey_);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->size(), 2u);
  EXPECT_NEAR((*p)[0] + (*p)[1], 1.0, 1e-6);
  // Equal red and green: the two logits are equal by construction.
  EXPECT_NEAR((*p)[1], 0.5, 1e-3);
}

TEST_F(RednessModelTest, SidecarChannelOrderIsApplied) {
  // Declaring the wrong channel order makes the model see red as blue
  // (neither red nor green): the red image then looks neutral, not malignant.
  const std::string dir = *model_dir_;
  std::ifstream in(dir + "/redness.sidecar");
  std::stringstream text;
  text << in.rdbuf();
  std::string bgr_sidecar = text.str();
  bgr_sidecar.replace(bgr_sidecar.find("RGB"), 3, "BGR");
  std::ofstream(dir + "/bgr.sidecar") << bgr_sidecar;
  absl::StatusOr<ImageClassifierPtr> bgr =
      ImageClassifier::Load(dir + "/redness.onnx", dir + "/bgr.sidecar");
  ASSERT_TRUE(bgr.ok()) << bgr.status();
  EXPECT_LT(*(*bgr)->MalignantProbability(red_), *classifier_->MalignantProbability(red_));
}

TEST_F(RednessModelTest, ConcurrentInferencesAgree) {
  const double expected = *classifier_->MalignantProbability(red_);
  std::vector<std::thread> threads;
  std::vector<double> results(8, -1);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 20; ++k) {
        absl::StatusOr<double> p = classifier_->MalignantProbability(i % 2 ? red_ : green_);
        if (p.ok() && i % 2) results[i] = *p;
        if (p.ok() && !(i % 2)) results[i] = 1 - *p;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 1; i < 8; i += 2) EXPECT_DOUBLE_EQ(results[i], expected);
}

}  // namespace
}  // namespace telederm::imaging
