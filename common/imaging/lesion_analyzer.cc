#include "common/imaging/lesion_analyzer.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace telederm::imaging {
namespace {

std::string ColourList(const std::vector<StolzColour>& colours) {
  std::vector<std::string> names;
  for (StolzColour c : colours) names.emplace_back(StolzColourName(c));
  return absl::StrJoin(names, ", ");
}

std::string Plural(int n, absl::string_view one, absl::string_view many) {
  return absl::StrCat(n, " ", n == 1 ? one : many);
}

std::vector<std::string> ExplainDermoscopy(const DermoscopyFindings& f) {
  std::vector<std::string> lines;
  const double tds = f.TotalDermoscopyScore();
  const char* verdict = tds > 5.45   ? "highly suspicious of melanoma"
                        : tds >= 4.75 ? "suspicious"
                                      : "benign range";
  std::vector<std::string> structures;
  if (f.structures.pigment_network) structures.emplace_back("pigment network");
  if (f.structures.structureless_areas) structures.emplace_back("structureless areas");
  if (f.structures.dots) structures.emplace_back("dots");
  if (f.structures.globules) structures.emplace_back("globules");
  if (f.structures.branched_streaks) structures.emplace_back("branched streaks");
  lines.push_back(absl::StrFormat(
      "TDS %.2f (%s; cut-offs 4.75 and 5.45): A=%d asymmetric in %s, B=%d "
      "abrupt border in %d of 8 segments, C=%d %s%s%s, D=%d %s%s%s",
      tds, verdict, f.asymmetry, Plural(f.asymmetry, "axis", "axes"),
      f.border_abrupt_segments, f.border_abrupt_segments, f.ColourScore(),
      Plural(static_cast<int>(f.colours.size()), "colour", "colours"),
      f.colours.empty() ? "" : " (", f.colours.empty() ? "" : ColourList(f.colours) + ")",
      f.StructureScore(),
      Plural(f.structures.Count(), "structure", "structures"),
      structures.empty() ? "" : " (",
      structures.empty() ? "" : absl::StrJoin(structures, ", ") + ")"));
  const SevenPointChecklist& s = f.seven_point;
  std::vector<std::string> items;
  if (s.atypical_pigment_network) items.emplace_back("atypical pigment network (2)");
  if (s.blue_whitish_veil) items.emplace_back("blue-whitish veil (2)");
  if (s.irregular_streaks) items.emplace_back("irregular streaks (1)");
  if (s.irregular_pigmentation) items.emplace_back("irregular blotches (1)");
  if (s.irregular_dots_globules) items.emplace_back("irregular dots/globules (1)");
  if (s.regression_structures) items.emplace_back("regression structures (1)");
  lines.push_back(absl::StrFormat(
      "7-point checklist score %d%s%s%s (3 or more suggests melanoma; "
      "vascular pattern not assessed)",
      s.Score(), items.empty() ? "" : ": ", absl::StrJoin(items, ", "), ""));
  return lines;
}

std::vector<std::string> ExplainClinical(const ClinicalFindings& f) {
  std::vector<std::string> signs;
  if (f.asymmetry > 0) {
    signs.push_back(absl::StrCat("asymmetric in ", Plural(f.asymmetry, "axis", "axes")));
  }
  if (f.irregular_border) {
    signs.push_back(absl::StrFormat("irregular border (compactness %.2f)", f.compactness));
  }
  if (f.colour_variegation) {
    signs.push_back(absl::StrCat(f.colours.size(), " colours (", ColourList(f.colours), ")"));
  }
  if (f.large_diameter) {
    signs.push_back(absl::StrFormat("diameter %.1f mm (over 6 mm)", *f.diameter_mm));
  }
  std::string line = absl::StrFormat("clinical ABCD signs: %d of %d assessed",
                                     f.SignsPresent(), f.SignsAssessed());
  if (!signs.empty()) absl::StrAppend(&line, ": ", absl::StrJoin(signs, ", "));
  if (f.diameter_mm.has_value() && !f.large_diameter) {
    absl::StrAppend(&line, absl::StrFormat("; diameter %.1f mm", *f.diameter_mm));
  }
  if (!f.diameter_mm.has_value()) {
    absl::StrAppend(&line, "; diameter not assessed (pixel size unknown)");
  }
  return {line};
}

ImageAssessment NotAnalysable(ImageAssessment assessment, std::string reason) {
  assessment.analysable = false;
  assessment.not_analysable_reason = std::move(reason);
  assessment.risk = 0.0;
  assessment.suspicion = Suspicion::kNotAssessed;
  return assessment;
}

}  // namespace

LesionAnalyzer::LesionAnalyzer(AnalyzerOptions options,
                               std::vector<ImageClassifierPtr> classifiers)
    : options_(std::move(options)), classifiers_(std::move(classifiers)) {}

absl::StatusOr<LesionAnalyzerPtr> LesionAnalyzer::Create(AnalyzerOptions options,
                                                         std::vector<ImageClassifierPtr> models) {
  for (size_t i = 0; i < models.size(); ++i) {
    if (models[i] == nullptr) return absl::InvalidArgumentError("a lesion model is missing (null)");
    for (size_t j = 0; j < i; ++j) {
      if (models[j]->sidecar().modality == models[i]->sidecar().modality) {
        return absl::InvalidArgumentError(absl::StrCat(
            "two models for ", std::string(ModalityName(models[i]->sidecar().modality)),
            " images: give one per modality"));
      }
    }
  }
  return LesionAnalyzerPtr(new LesionAnalyzer(std::move(options), std::move(models)));
}

const ImageClassifier* LesionAnalyzer::model(Modality modality) const {
  for (const ImageClassifierPtr& classifier : classifiers_) {
    if (classifier->sidecar().modality == modality) return classifier.get();
  }
  return nullptr;
}

absl::StatusOr<ImageAssessment> LesionAnalyzer::Analyze(
    std::string_view encoded_bytes, Modality modality,
    std::optional<double> pixel_size_mm, double form_risk) const {
  ImageAssessment assessment;
  assessment.method = absl::StrCat(std::string(kLibraryName), "/",
                                   std::string(kLibraryVersion));
  absl::StatusOr<ImageHeader> header = ReadImageHeader(encoded_bytes);
  if (!header.ok()) return header.status();
  const int working_side = options_.quality.working_long_side;
  DecodeOptions decode = options_.decode;
  decode.reduction = ChooseReduction(*header, working_side);
  absl::StatusOr<cv::Mat> image = DecodeImage(encoded_bytes, decode);
  if (!image.ok()) return image.status();
  const cv::Mat working = ToWorkingSize(*image, working_side);

  const bool has_lesion = modality == Modality::kDermoscopy ||
                          modality == Modality::kClinicalCloseUp;
  LesionSegmentation segmentation;
  if (has_lesion) {
    segmentation = SegmentLesion(working, modality, options_.segmentation);
  }
  assessment.quality =
      AssessQuality(working, header->width, header->height, modality,
                    options_.quality, has_lesion ? &segmentation : nullptr);

  if (modality == Modality::kConfocalMicroscopy ||
      modality == Modality::kUltrasound) {
    return NotAnalysable(
        std::move(assessment),
        absl::StrCat(std::string(ModalityName(modality)),
                     " images are not pre-screened automatically: a "
                     "dermatologist must review them"));
  }
  if (!assessment.quality.Acceptable()) {
    std::string reason = assessment.quality.findings.front().message;
    return NotAnalysable(std::move(assessment), std::move(reason));
  }
  for (const QualityFinding& finding : assessment.quality.findings) {
    assessment.explanation.push_back(
        absl::StrCat("image quality warning: ", finding.code));
  }
  if (modality == Modality::kClinicalOverview) {
    return NotAnalysable(
        std::move(assessment),
        "overview photos show the body region for context and are not "
        "pre-screened: add a close-up or dermoscopy image of the lesion");
  }
  if (!segmentation.found) {
    return NotAnalysable(
        std::move(assessment),
        "no lesion found in the image: photograph the lesion from closer, "
        "centred, with some normal skin around it");
  }

  double rule_risk = 0;
  if (modality == Modality::kDermoscopy) {
    assessment.dermoscopy =
        AnalyzeDermoscopy(working, segmentation, options_.dermoscopy);
    rule_risk = DermoscopyRisk(*assessment.dermoscopy);
    for (std::string& line : ExplainDermoscopy(*assessment.dermoscopy)) {
      assessment.explanation.push_back(std::move(line));
    }
  } else {
    std::optional<double> working_pixel_mm;
    if (pixel_size_mm.has_value()) {
      working_pixel_mm = *pixel_size_mm *
                         std::max(header->width, header->height) /
                         static_cast<double>(std::max(working.cols, working.rows));
    }
    assessment.clinical = AnalyzeClinical(working, segmentation,
                                          working_pixel_mm, options_.clinical);
    rule_risk = ClinicalRisk(*assessment.clinical);
    for (std::string& line : ExplainClinical(*assessment.clinical)) {
      assessment.explanation.push_back(std::move(line));
    }
  }
  const ImageClassifier* classifier = model(modality);
  if (classifier != nullptr) {
    absl::StatusOr<std::vector<double>> probabilities = classifier->Classify(working);
    if (probabilities.ok()) {
      const double malignant = classifier->MalignantProbability(*probabilities);
      assessment.model_malignant_probability = malignant;
      std::string line = absl::StrFormat("lesion model: malignant %.3f", malignant);
      if (const int melanoma = classifier->ClassIndex("melanoma"); melanoma >= 0) {
        absl::StrAppend(&line, absl::StrFormat(" (melanoma %.3f)", (*probabilities)[melanoma]));
      }
      assessment.explanation.push_back(std::move(line));
    } else {
      assessment.explanation.push_back(absl::StrCat(
          "lesion model failed, rules only: ", probabilities.status().message()));
    }
  }
  assessment.analysable = true;
  const std::optional<ModelCalibration>& calibration =
      classifier != nullptr ? classifier->sidecar().calibration : std::nullopt;
  if (assessment.model_malignant_probability.has_value() && calibration.has_value()) {
    assessment.risk = CalibratedRisk(
        CalibratedScore(rule_risk, *assessment.model_malignant_probability, *calibration, form_risk),
        *calibration, options_.risk);
    assessment.weighs_form_risk = calibration->form_weight.has_value();
  } else {
    assessment.risk = CombineWithModel(rule_risk, assessment.model_malignant_probability,
                                       options_.risk);
  }
  assessment.suspicion = SuspicionForRisk(assessment.risk, options_.risk);
  assessment.explanation.insert(
      assessment.explanation.begin(),
      absl::StrFormat("risk %.2f (%s)%s%s", assessment.risk,
                      std::string(SuspicionName(assessment.suspicion)),
                      assessment.model_malignant_probability.has_value()
                          ? absl::StrFormat(" from rules %.2f and lesion model %.2f",
                                            rule_risk,
                                            *assessment.model_malignant_probability)
                          : "",
                      assessment.weighs_form_risk
                          ? absl::StrFormat(" with the form's risk %.2f", form_risk)
                          : ""));
  return assessment;
}

}  // namespace telederm::imaging
