// Benchmarks of the imaging library (not run by ctest). Targets on one core:
// full dermoscopy analysis of a 1024x768 image <= 30 ms median (with the
// shipped lesion model too); quality gate
// of a 12-megapixel JPEG <= 60 ms. Figures are recorded in docs/IMAGING.md.
//
//   telederm_imaging_benchmark --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
#include <string>

#include "benchmark/benchmark.h"
#include "common/imaging/decode.h"
#include "common/imaging/lesion_analyzer.h"
#include "common/imaging/quality.h"
#include "common/imaging/test_images.h"
#include "opencv2/core.hpp"
#include "opencv2/imgproc.hpp"

namespace telederm::imaging {
namespace {

using ::telederm::imaging::testing::EncodeJpeg;
using ::telederm::imaging::testing::ReadTestImage;

// A real dermoscopy sample resized to `size` and encoded as a camera would
// (JPEG quality 92).
std::string SampleJpeg(cv::Size size) {
  absl::StatusOr<cv::Mat> sample = DecodeImage(ReadTestImage("ham10000/mel/ISIC_0025248.jpg"));
  if (!sample.ok()) return "";
  cv::Mat resized;
  cv::resize(*sample, resized, size, 0, 0, cv::INTER_CUBIC);
  return EncodeJpeg(resized, 92);
}

void BM_QualityGate12MegapixelJpeg(benchmark::State& state) {
  cv::setNumThreads(1);
  const std::string jpeg = SampleJpeg({4000, 3000});
  if (jpeg.empty()) {
    state.SkipWithError("sample image missing");
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<QualityReport> report = CheckImageQuality(jpeg, Modality::kDermoscopy);
    benchmark::DoNotOptimize(report);
  }
  state.SetLabel(std::to_string(jpeg.size() / 1024) + " KiB");
}
BENCHMARK(BM_QualityGate12MegapixelJpeg)->Unit(benchmark::kMillisecond);

void BM_FullDecode12MegapixelJpeg(benchmark::State& state) {
  cv::setNumThreads(1);
  const std::string jpeg = SampleJpeg({4000, 3000});
  for (auto _ : state) {
    absl::StatusOr<cv::Mat> image = DecodeImage(jpeg);
    benchmark::DoNotOptimize(image);
  }
}
BENCHMARK(BM_FullDecode12MegapixelJpeg)->Unit(benchmark::kMillisecond);

// Full analysis of a 1024x768 dermoscopy JPEG with `models`.
void AnalyzeDermoscopy1024x768(benchmark::State& state, std::vector<ImageClassifierPtr> models) {
  cv::setNumThreads(1);
  const std::string jpeg = SampleJpeg({1024, 768});
  absl::StatusOr<LesionAnalyzerPtr> analyzer = LesionAnalyzer::Create({}, std::move(models));
  if (jpeg.empty() || !analyzer.ok()) {
    state.SkipWithError("setup failed");
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<ImageAssessment> a = (*analyzer)->Analyze(jpeg, Modality::kDermoscopy);
    benchmark::DoNotOptimize(a);
  }
}

void BM_AnalyzeDermoscopy1024x768(benchmark::State& state) { AnalyzeDermoscopy1024x768(state, {}); }
BENCHMARK(BM_AnalyzeDermoscopy1024x768)->Unit(benchmark::kMillisecond);

// The same with the shipped lesion model (models/, docs/MODEL.md) folded in.
void BM_AnalyzeDermoscopyWithModel1024x768(benchmark::State& state) {
  absl::StatusOr<ImageClassifierPtr> model =
      ImageClassifier::Load(TELEDERM_SHIPPED_MODEL, std::string(TELEDERM_SHIPPED_MODEL) + ".sidecar");
  if (!model.ok()) {
    state.SkipWithError(std::string(model.status().message()).c_str());
    return;
  }
  std::vector<ImageClassifierPtr> models;
  models.push_back(*std::move(model));
  AnalyzeDermoscopy1024x768(state, std::move(models));
}
BENCHMARK(BM_AnalyzeDermoscopyWithModel1024x768)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace telederm::imaging

BENCHMARK_MAIN();
