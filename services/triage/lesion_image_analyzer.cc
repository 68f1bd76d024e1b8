#include "services/triage/lesion_image_analyzer.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/imaging_proto/proto_adapters.h"

namespace telederm::triage {
namespace {

class LesionImageAnalyzer final : public Analyzer {
 public:
  explicit LesionImageAnalyzer(imaging::LesionAnalyzerPtr analyzer) : analyzer_(std::move(analyzer)) {}

  v1::AnalyzerInfo info() const override {
    v1::AnalyzerInfo info;
    info.set_name(std::string(imaging::kLibraryName));
    info.set_version(std::string(imaging::kLibraryVersion));
    info.set_description(absl::StrCat(
        "dermoscopy: ABCD rule (Stolz) and Total Dermoscopy Score, 7-point checklist findings; clinical close-ups: "
        "border, colour variegation and size",
        analyzer_->has_model() ? "; ONNX classifier folded in" : "; no learned model configured"));
    return info;
  }

  absl::StatusOr<ImageFinding> Analyze(absl::string_view bytes, const v1::ImageRef& image) const override {
    std::optional<double> pixel_size;
    if (image.pixel_size_mm() > 0) pixel_size = image.pixel_size_mm();
    absl::StatusOr<imaging::ImageAssessment> assessment = analyzer_->Analyze(
        std::string_view(bytes.data(), bytes.size()), imaging::FromProto(image.modality()), pixel_size);
    if (!assessment.ok()) return assessment.status();
    ImageFinding finding;
    finding.analysable = assessment->analysable;
    finding.not_analysable_reason = assessment->not_analysable_reason;
    finding.risk = assessment->risk;
    finding.explanation = assessment->explanation;
    if (assessment->analysable && assessment->suspicion != imaging::Suspicion::kLow) {
      v1::SuspectedDiagnosis* melanoma = &finding.suspected_diagnoses.emplace_back();
      melanoma->set_name("melanoma");
      melanoma->set_score(assessment->risk);
    }
    return finding;
  }

 private:
  const imaging::LesionAnalyzerPtr analyzer_;
};

}  // namespace

absl::StatusOr<AnalyzerPtr> NewLesionImageAnalyzer(imaging::AnalyzerOptions options) {
  const std::string model = options.model_path;
  absl::StatusOr<imaging::LesionAnalyzerPtr> analyzer = imaging::LesionAnalyzer::Create(std::move(options));
  if (!analyzer.ok() && !model.empty()) {
    return absl::Status(analyzer.status().code(),
                        absl::StrCat("cannot load the lesion model ", model, " (set it with --model or TELEDERM_MODEL; "
                                     "--model=none screens with the rules alone): ",
                                     analyzer.status().message()));
  }
  if (!analyzer.ok()) return analyzer.status();
  return AnalyzerPtr(std::make_shared<LesionImageAnalyzer>(std::move(*analyzer)));
}

std::string DefaultModelPath() { return TELEDERM_DEFAULT_MODEL; }

void SelectModel(absl::string_view model, absl::string_view sidecar, imaging::AnalyzerOptions& options) {
  if (model == "none") {
    options.model_path.clear();
    options.model_sidecar_path.clear();
    return;
  }
  options.model_path = model.empty() ? DefaultModelPath() : std::string(model);
  options.model_sidecar_path = sidecar.empty() ? options.model_path + ".sidecar" : std::string(sidecar);
}

}  // namespace telederm::triage
