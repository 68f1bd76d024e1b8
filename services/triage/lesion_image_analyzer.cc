#include "services/triage/lesion_image_analyzer.h"

#include <optional>
#include <string>
#include <vector>

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
        "border, colour variegation and size; learned lesion model for dermoscopy: ",
        analyzer_->model(imaging::Modality::kDermoscopy) != nullptr ? "yes" : "none",
        ", for close-ups: ", analyzer_->model(imaging::Modality::kClinicalCloseUp) != nullptr ? "yes" : "none"));
    return info;
  }

  absl::StatusOr<ImageFinding> Analyze(absl::string_view bytes, const v1::ImageRef& image,
                                       double form_risk) const override {
    std::optional<double> pixel_size;
    if (image.pixel_size_mm() > 0) pixel_size = image.pixel_size_mm();
    absl::StatusOr<imaging::ImageAssessment> assessment = analyzer_->Analyze(
        std::string_view(bytes.data(), bytes.size()), imaging::FromProto(image.modality()), pixel_size, form_risk);
    if (!assessment.ok()) return assessment.status();
    ImageFinding finding;
    finding.analysable = assessment->analysable;
    finding.not_analysable_reason = assessment->not_analysable_reason;
    finding.risk = assessment->risk;
    finding.explanation = assessment->explanation;
    finding.weighs_form_risk = assessment->weighs_form_risk;
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

// Loads the model `setting` names for `modality` (none: nothing).
absl::Status LoadModel(absl::string_view setting, absl::string_view sidecar, const std::string& shipped,
                       imaging::Modality modality, absl::string_view flag, absl::string_view env,
                       std::vector<imaging::ImageClassifierPtr>& models) {
  if (setting == "none") return absl::OkStatus();
  const std::string path = setting.empty() ? shipped : std::string(setting);
  const std::string sidecar_path = sidecar.empty() ? path + ".sidecar" : std::string(sidecar);
  const std::string images(imaging::ModalityName(modality));
  const std::string how = absl::StrCat("(set it with --", flag, " or ", env, "; --", flag, "=none screens ", images,
                                       " images with the rules alone)");
  absl::StatusOr<imaging::ImageClassifierPtr> model = imaging::ImageClassifier::Load(path, sidecar_path);
  if (!model.ok()) {
    return absl::Status(model.status().code(),
                        absl::StrCat("cannot load the lesion model ", path, " ", how, ": ", model.status().message()));
  }
  if ((*model)->sidecar().modality != modality) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the lesion model ", path, " is for ", std::string(imaging::ModalityName((*model)->sidecar().modality)),
        " images (its sidecar says so), not for ", images, " images ", how));
  }
  models.push_back(*std::move(model));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AnalyzerPtr> NewLesionImageAnalyzer(imaging::AnalyzerOptions options, const ModelSettings& settings) {
  std::vector<imaging::ImageClassifierPtr> models;
  if (absl::Status s = LoadModel(settings.dermoscopy, settings.dermoscopy_sidecar, DefaultModelPath(),
                                 imaging::Modality::kDermoscopy, "model", "TELEDERM_MODEL", models);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = LoadModel(settings.close_up, "", DefaultCloseUpModelPath(), imaging::Modality::kClinicalCloseUp,
                                 "closeup_model", "TELEDERM_CLOSEUP_MODEL", models);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<imaging::LesionAnalyzerPtr> analyzer =
      imaging::LesionAnalyzer::Create(std::move(options), std::move(models));
  if (!analyzer.ok()) return analyzer.status();
  return AnalyzerPtr(std::make_shared<LesionImageAnalyzer>(std::move(*analyzer)));
}

std::string DefaultModelPath() { return TELEDERM_DEFAULT_MODEL; }
std::string DefaultCloseUpModelPath() { return TELEDERM_DEFAULT_CLOSEUP_MODEL; }

}  // namespace telederm::triage
