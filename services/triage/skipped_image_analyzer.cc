#include "services/triage/skipped_image_analyzer.h"

namespace telederm::triage {
namespace {

class SkippedImageAnalyzer final : public Analyzer {
 public:
  v1::AnalyzerInfo info() const override {
    v1::AnalyzerInfo info;
    info.set_name("image-analysis-skipped");
    info.set_version("0");
    info.set_description("benchmark mode (--skip_image_analysis): images are not analysed, cases go urgent unscreened");
    return info;
  }
  absl::StatusOr<ImageFinding> Analyze(absl::string_view, const v1::ImageRef&, double) const override {
    ImageFinding finding;
    finding.analysable = false;
    finding.not_analysable_reason = "image analysis switched off (--skip_image_analysis, benchmarks only)";
    return finding;
  }
  bool ReadsImages() const override { return false; }
};

}  // namespace

AnalyzerPtr NewSkippedImageAnalyzer() { return std::make_shared<const SkippedImageAnalyzer>(); }

}  // namespace telederm::triage
