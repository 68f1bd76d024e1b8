#include "services/triage/screener.h"

#include <atomic>
#include <filesystem>
#include <stdexcept>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "services/triage/lesion_image_analyzer.h"
#include "services/triage/skipped_image_analyzer.h"
#include "tests/harness/files.h"
#include "tests/harness/temp_dir.h"

namespace telederm::triage {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

// Analyzers that fail the ways real ones can.
class ThrowingAnalyzer final : public Analyzer {
 public:
  v1::AnalyzerInfo info() const override { return {}; }
  absl::StatusOr<ImageFinding> Analyze(absl::string_view, const v1::ImageRef&, double) const override {
    throw std::runtime_error("out of memory in segmentation");
  }
};

class HangingAnalyzer final : public Analyzer {
 public:
  v1::AnalyzerInfo info() const override { return {}; }
  absl::StatusOr<ImageFinding> Analyze(absl::string_view, const v1::ImageRef&, double) const override {
    absl::SleepFor(absl::Seconds(2));
    return ImageFinding{.analysable = true, .risk = 0.01};
  }
};

// Hangs until released, like an analysis stuck in a pathological image.
class StuckAnalyzer final : public Analyzer {
 public:
  v1::AnalyzerInfo info() const override { return {}; }
  absl::StatusOr<ImageFinding> Analyze(absl::string_view, const v1::ImageRef&, double) const override {
    ++calls;
    release.WaitForNotification();
    return ImageFinding{.analysable = true, .risk = 0.01};
  }
  mutable std::atomic<int> calls{0};
  absl::Notification release;
};

// Finds every image at one risk, computed with or without the form's risk;
// remembers the form risk it was given.
class FixedRiskAnalyzer final : public Analyzer {
 public:
  FixedRiskAnalyzer(double risk, bool weighs_form_risk) : risk_(risk), weighs_form_risk_(weighs_form_risk) {}
  v1::AnalyzerInfo info() const override { return {}; }
  absl::StatusOr<ImageFinding> Analyze(absl::string_view, const v1::ImageRef&, double form_risk) const override {
    given_form_risk = form_risk;
    return ImageFinding{.analysable = true, .risk = risk_, .weighs_form_risk = weighs_form_risk_};
  }
  mutable std::atomic<double> given_form_risk{-1};

 private:
  const double risk_;
  const bool weighs_form_risk_;
};

class ScreenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = *testing::MakeTempDir("screener-test");
    blobs_ = *OpenDirectoryBlobStore(dir_);
    analyzer_ = *NewLesionImageAnalyzer({}, {.dermoscopy = "none", .close_up = "none"});
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Store(const std::string& bytes) {
    auto writer = *blobs_->NewWriter();
    EXPECT_TRUE(writer->Append(bytes).ok());
    return writer->Commit(Sha256Hex(bytes))->sha256;
  }
  std::string StoreSample(const std::string& name) {
    return Store(testing::ReadFileBytes(std::string(TELEDERM_TEST_DATA_DIR) + "/cases/" + name));
  }

  v1::Case TumourCase(const std::vector<std::pair<std::string, v1::Modality>>& images) {
    v1::Case c;
    c.set_case_id("c-01JAAAAAAAAAAAAAAAAAAAAAAA");
    c.mutable_submission()->set_type(v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
    c.mutable_submission()->mutable_patient()->set_age_years(35);
    for (const auto& [sha, modality] : images) {
      v1::ImageRef* image = c.mutable_submission()->add_images();
      image->set_sha256(sha);
      image->set_modality(modality);
    }
    return c;
  }

  std::string dir_;
  BlobStorePtr blobs_;
  AnalyzerPtr analyzer_;
};

// A form that alone reaches URGENT (grown and changed shape: 4 points, 0.8).
// An image risk from a model fitted with the form replaces the form's rule;
// any other image risk only adds to it (the higher decides).
TEST_F(ScreenerTest, AnImageRiskThatWeighsTheFormReplacesTheFormRiskOthersTakeTheHigher) {
  v1::Case c = TumourCase({{StoreSample("ISIC_0024311.jpg"), v1::MODALITY_CLINICAL_CLOSE_UP}});
  c.mutable_submission()->mutable_lesion()->mutable_evolution()->set_size(true);
  c.mutable_submission()->mutable_lesion()->mutable_evolution()->set_shape(true);

  auto weighing = std::make_shared<FixedRiskAnalyzer>(0.2, true);
  v1::TriageResult fitted = Screener(weighing, blobs_, {}).Screen(c, kNow);
  EXPECT_DOUBLE_EQ(weighing->given_form_risk, 0.8);
  EXPECT_TRUE(fitted.screened());
  EXPECT_DOUBLE_EQ(fitted.risk_score(), 0.2);
  EXPECT_EQ(fitted.tier(), v1::URGENCY_ROUTINE);
  EXPECT_EQ(fitted.explanation(fitted.explanation_size() - 1).text(),
            "image risk 0.20 decides: the lesion model's calibration already weighs the form risk 0.80");

  v1::TriageResult rules = Screener(std::make_shared<FixedRiskAnalyzer>(0.2, false), blobs_, {}).Screen(c, kNow);
  EXPECT_DOUBLE_EQ(rules.risk_score(), 0.8);
  EXPECT_EQ(rules.tier(), v1::URGENCY_URGENT);
  EXPECT_EQ(rules.explanation(rules.explanation_size() - 1).text(),
            "image risk 0.20, form risk 0.80: the higher decides");
}

TEST_F(ScreenerTest, AnalyzerThatThrowsSendsTheCaseToAHumanAsUrgent) {
  Screener screener(std::make_shared<ThrowingAnalyzer>(), blobs_, {});
  v1::TriageResult result = screener.Screen(TumourCase({{StoreSample("ISIC_0024311.jpg"), v1::MODALITY_DERMOSCOPY}}), kNow);
  EXPECT_FALSE(result.screened());
  EXPECT_EQ(result.tier(), v1::URGENCY_URGENT);
  EXPECT_TRUE(absl::StrContains(result.not_screened_reason(), "out of memory in segmentation"))
      << result.not_screened_reason();
}

TEST_F(ScreenerTest, BenchmarkModeWithoutImageAnalysisNeverPassesForScreened) {
  Screener screener(NewSkippedImageAnalyzer(), blobs_, {});
  v1::TriageResult result = screener.Screen(TumourCase({{StoreSample("ISIC_0024311.jpg"), v1::MODALITY_DERMOSCOPY}}), kNow);
  EXPECT_FALSE(result.screened());
  EXPECT_EQ(result.tier(), v1::URGENCY_URGENT);
  EXPECT_TRUE(absl::StrContains(result.not_screened_reason(), "--skip_image_analysis")) << result.not_screened_reason();
}

// The reason a case was not screened is stored once, in not_screened_reason
// (what the CLI and the FHIR export show a specialist); the last explanation
// item says that it was not screened, without repeating the reason.
TEST_F(ScreenerTest, NotScreenedReasonIsStoredOnceAndTheLastExplanationSaysNotScreened) {
  Screener screener(NewSkippedImageAnalyzer(), blobs_, {});
  v1::TriageResult result = screener.Screen(TumourCase({{StoreSample("ISIC_0024311.jpg"), v1::MODALITY_DERMOSCOPY}}), kNow);
  ASSERT_FALSE(result.screened());
  ASSERT_FALSE(result.not_screened_reason().empty());
  ASSERT_GT(result.explanation_size(), 0);
  const v1::ExplanationItem& last = result.explanation(result.explanation_size() - 1);
  EXPECT_EQ(last.source(), "system");
  EXPECT_EQ(last.text(), kNotScreenedExplanation);
  for (const v1::ExplanationItem& item : result.explanation()) {
    EXPECT_FALSE(absl::StrContains(item.text(), "--skip_image_analysis")) << item.text();
  }
}

TEST_F(ScreenerTest, BenchmarkModeDoesNotReadTheImagesAndStillSendsTheCaseAsUrgent) {
  Screener screener(NewSkippedImageAnalyzer(), blobs_, {});
  const std::string never_stored(64, 'a');
  v1::TriageResult result = screener.Screen(TumourCase({{never_stored, v1::MODALITY_DERMOSCOPY}}), kNow);
  EXPECT_FALSE(result.screened());
  EXPECT_EQ(result.tier(), v1::URGENCY_URGENT);
  EXPECT_TRUE(absl::StrContains(result.not_screened_reason(), "--skip_image_analysis")) << result.not_screened_reason();
  EXPECT_FALSE(absl::StrContains(result.not_screened_reason(), "could not be read")) << result.not_screened_reason();
}

TEST_F(ScreenerTest, AnalysisTimeoutSendsTheCaseToAHumanAsUrgent) {
  ScreeningOptions options;
  options.analysis_timeout = absl::Milliseconds(100);
  Screener screener(std::make_shared<HangingAnalyzer>(), blobs_, options);
  v1::TriageResult result = screener.Screen(TumourCase({{StoreSample("ISIC_0024311.jpg"), v1::MODALITY_DERMOSCOPY}}), kNow);
  EXPECT_FALSE(result.screened());
  EXPECT_EQ(result.tier(), v1::URGENCY_URGENT);
  EXPECT_TRUE(absl::StrContains(result.not_screened_reason(), "took longer than")) << result.not_screened_reason();
}

TEST_F(ScreenerTest, HungAnalysesAreNotQueuedBehindWithoutBoundTheCaseGoesToAHumanAtOnce) {
  auto analyzer = std::make_shared<StuckAnalyzer>();
  ScreeningOptions options;
  options.analysis_timeout = absl::Milliseconds(20);
  options.analysis_threads = 1;
  options.max_analyses_in_flight = 2;
  {
    Screener screener(analyzer, blobs_, options);
    const std::string image = StoreSample("ISIC_0024311.jpg");
    for (int i = 0; i < 2; ++i) {  // one hangs on the thread, one waits behind it
      v1::TriageResult result = screener.Screen(TumourCase({{image, v1::MODALITY_DERMOSCOPY}}), kNow);
      EXPECT_TRUE(absl::StrContains(result.not_screened_reason(), "took longer than")) << result.not_screened_reason();
    }
    v1::TriageResult result = screener.Screen(TumourCase({{image, v1::MODALITY_DERMOSCOPY}}), kNow);
    EXPECT_FALSE(result.screened());
    EXPECT_EQ(result.tier(), v1::URGENCY_URGENT);
    EXPECT_TRUE(absl::StrContains(result.not_screened_reason(), "image analysis is saturated"))
        << result.not_screened_reason();
    analyzer->release.Notify();
    // The waiting analysis runs once the hung one ends (a screener being
    // destroyed drops analyses not yet started, so let it start first).
    for (const absl::Time give_up = absl::Now() + absl::Seconds(30);
         analyzer->calls.load() < 2 && absl::Now() < give_up;) {
      absl::SleepFor(absl::Milliseconds(5));
    }
  }  // the screener joins its analyses
  EXPECT_EQ(analyzer->calls.load(), 2);  // the third image was never queued
}

TEST_F(ScreenerTest, CorruptImageIsNotScreenedAndUrgent) {
  std::string jpeg = testing::ReadFileBytes(std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0024311.jpg");
  std::string corrupt = jpeg.substr(0, 600);  // a JPEG header and little else
  Screener screener(analyzer_, blobs_, {});
  v1::TriageResult result = screener.Screen(TumourCase({{Store(corrupt), v1::MODALITY_DERMOSCOPY}}), kNow);
  EXPECT_FALSE(result.screened());
  EXPECT_EQ(result.tier(), v1::URGENCY_URGENT);
  EXPECT_FALSE(result.not_screened_reason().empty());
}

TEST_F(ScreenerTest, ImageMissingFromTheBlobStoreIsNotScreenedAndUrgent) {
  Screener screener(analyzer_, blobs_, {});
  v1::TriageResult result = screener.Screen(TumourCase({{Sha256Hex("lost"), v1::MODALITY_DERMOSCOPY}}), kNow);
  EXPECT_FALSE(result.screened());
  EXPECT_EQ(result.tier(), v1::URGENCY_URGENT);
  EXPECT_TRUE(absl::StrContains(result.not_screened_reason(), "could not be read"));
}

TEST_F(ScreenerTest, UltrasoundIsBeyondTheAnalyzerSoAHumanLooksUrgently) {
  Screener screener(analyzer_, blobs_, {});
  v1::TriageResult result = screener.Screen(
      TumourCase({{StoreSample("ISIC_0024311.jpg"), v1::MODALITY_DERMOSCOPY},
                  {StoreSample("ISIC_0027001.jpg"), v1::MODALITY_ULTRASOUND}}),
      kNow);
  EXPECT_FALSE(result.screened());
  EXPECT_EQ(result.tier(), v1::URGENCY_URGENT);
}

TEST_F(ScreenerTest, TheMostSuspiciousImageDecides) {
  Screener screener(analyzer_, blobs_, {});
  std::string melanoma = StoreSample("ISIC_0025248.jpg");
  std::string naevus = StoreSample("ISIC_0024311.jpg");
  double melanoma_alone = screener.Screen(TumourCase({{melanoma, v1::MODALITY_DERMOSCOPY}}), kNow).risk_score();
  double naevus_alone = screener.Screen(TumourCase({{naevus, v1::MODALITY_DERMOSCOPY}}), kNow).risk_score();
  v1::TriageResult both = screener.Screen(
      TumourCase({{naevus, v1::MODALITY_DERMOSCOPY}, {melanoma, v1::MODALITY_DERMOSCOPY}}), kNow);
  EXPECT_TRUE(both.screened()) << both.not_screened_reason();
  EXPECT_DOUBLE_EQ(both.risk_score(), std::max(melanoma_alone, naevus_alone));
  bool explains_each_image = false;
  for (const auto& item : both.explanation()) explains_each_image |= item.source() == "image:" + melanoma;
  EXPECT_TRUE(explains_each_image);
}

TEST_F(ScreenerTest, WorryingFormRaisesTheTierEvenWhenTheImageLooksBenign) {
  Screener screener(analyzer_, blobs_, {});
  v1::Case c = TumourCase({{StoreSample("ISIC_0024311.jpg"), v1::MODALITY_DERMOSCOPY}});
  v1::Urgency quiet = screener.Screen(c, kNow).tier();
  c.mutable_submission()->mutable_lesion()->mutable_evolution()->set_size(true);
  c.mutable_submission()->mutable_lesion()->mutable_evolution()->set_colour(true);
  v1::TriageResult worried = screener.Screen(c, kNow);
  EXPECT_EQ(worried.tier(), v1::URGENCY_URGENT);
  EXPECT_LE(worried.tier(), quiet);  // URGENT sorts before SOON and ROUTINE
}

TEST_F(ScreenerTest, RashIsTriagedOnTheFormWithoutImageAnalysis) {
  Screener screener(std::make_shared<ThrowingAnalyzer>(), blobs_, {});
  v1::Case c = TumourCase({{StoreSample("ISIC_0024311.jpg"), v1::MODALITY_CLINICAL_CLOSE_UP}});
  c.mutable_submission()->set_type(v1::CASE_TYPE_INFLAMMATORY_RASH);
  v1::TriageResult result = screener.Screen(c, kNow);
  EXPECT_TRUE(result.screened());
  EXPECT_EQ(result.tier(), v1::URGENCY_ROUTINE);
  c.mutable_submission()->mutable_patient()->mutable_risk_factors()->set_immunosuppressed(true);
  EXPECT_EQ(screener.Screen(c, kNow).tier(), v1::URGENCY_SOON);
}

}  // namespace
}  // namespace telederm::triage
