// Image-level pre-screening: decode, quality gate, lesion analysis, risk.
//
// A LesionAnalyzer is immutable after Create() and safe for concurrent use
// from any number of threads without external synchronisation (the optional
// learned model serialises its own inferences). It never has the last word:
// its assessment orders the referral queue and explains why; an image it
// cannot judge is reported as not analysable so a human looks at it soon.
#ifndef TELEDERM_COMMON_IMAGING_LESION_ANALYZER_H_
#define TELEDERM_COMMON_IMAGING_LESION_ANALYZER_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/imaging/classifier.h"
#include "common/imaging/clinical.h"
#include "common/imaging/decode.h"
#include "common/imaging/dermoscopy.h"
#include "common/imaging/modality.h"
#include "common/imaging/quality.h"
#include "common/imaging/risk.h"
#include "common/imaging/segmentation.h"

namespace telederm::imaging {

struct ImageAssessment {
  // False when the image cannot be pre-screened (quality refusal, no lesion,
  // a modality we do not analyse): `not_analysable_reason` says why and what
  // to do, `suspicion` is kNotAssessed and `risk` is 0 and means nothing.
  bool analysable = false;
  std::string not_analysable_reason;
  double risk = 0.0;  // 0..1, monotone in the findings.
  Suspicion suspicion = Suspicion::kNotAssessed;
  // Dermatologist-readable lines, e.g. "TDS 6.1 (highly suspicious):
  // asymmetric in 2 axes, 5 colours including blue-grey".
  std::vector<std::string> explanation;
  QualityReport quality;
  std::optional<DermoscopyFindings> dermoscopy;
  std::optional<ClinicalFindings> clinical;
  std::optional<double> model_malignant_probability;
  // True when `risk` came from a model calibration that weighs the case
  // form's risk (given to Analyze): the form is then already in it.
  bool weighs_form_risk = false;
  std::string method;  // "<kLibraryName>/<kLibraryVersion>"
};

struct AnalyzerOptions {
  DecodeOptions decode;  // `reduction` is chosen per image; the rest applies.
  QualityThresholds quality;
  SegmentationOptions segmentation;
  DermoscopyOptions dermoscopy;
  ClinicalOptions clinical;
  RiskOptions risk;
};

class LesionAnalyzer;
using LesionAnalyzerPtr = std::unique_ptr<LesionAnalyzer>;

class LesionAnalyzer {
 public:
  // `models`: the learned models (ImageClassifier::Load), at most one per
  // modality (each sidecar says which: dermoscopy or clinical close-ups).
  // INVALID_ARGUMENT if two are for one modality or one is null.
  static absl::StatusOr<LesionAnalyzerPtr> Create(AnalyzerOptions options,
                                                  std::vector<ImageClassifierPtr> models = {});

  LesionAnalyzer(const LesionAnalyzer&) = delete;
  LesionAnalyzer& operator=(const LesionAnalyzer&) = delete;

  // Assesses one encoded image. `pixel_size_mm` is the size of a pixel of the
  // original image, when the clinic knows it (a ruler or a calibrated
  // dermatoscope); it lets clinical close-ups report the diameter.
  // `form_risk` is the case form's risk (0..1): a model whose calibration
  // weighs it folds it into the image risk (weighs_form_risk).
  // INVALID_ARGUMENT (from decoding) when the bytes are not a readable JPEG or
  // PNG within the size limit; every other outcome is an assessment.
  absl::StatusOr<ImageAssessment> Analyze(
      std::string_view encoded_bytes, Modality modality,
      std::optional<double> pixel_size_mm = std::nullopt, double form_risk = 0) const;

  // The model for images of `modality`, or null.
  const ImageClassifier* model(Modality modality) const;

 private:
  LesionAnalyzer(AnalyzerOptions options, std::vector<ImageClassifierPtr> classifiers);

  const AnalyzerOptions options_;
  const std::vector<ImageClassifierPtr> classifiers_;  // At most one per modality.
};

}  // namespace telederm::imaging

#endif  // TELEDERM_COMMON_IMAGING_LESION_ANALYZER_H_
