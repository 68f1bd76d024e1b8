// From findings to a risk figure and a suspicion tier. All mappings are
// monotone: more or worse findings never lower the risk. Pure functions.
#ifndef TELEDERM_COMMON_IMAGING_RISK_H_
#define TELEDERM_COMMON_IMAGING_RISK_H_

#include <optional>
#include <string_view>

#include "common/imaging/clinical.h"
#include "common/imaging/dermoscopy.h"

namespace telederm::imaging {

enum class Suspicion {
  kNotAssessed,        // The image could not be analysed: a human must look.
  kLow,                // TDS < 4.75: benign by the ABCD rule.
  kSuspicious,         // TDS 4.75..5.45.
  kHighlySuspicious,   // TDS > 5.45: highly suspicious of melanoma.
};
std::string_view SuspicionName(Suspicion suspicion);

struct RiskOptions {
  // Risk at and above which a lesion is suspicious / highly suspicious. They
  // are the images of the published TDS cut-offs under TdsToRisk.
  double suspicious_from = 0.35;
  double highly_suspicious_above = 0.60;
  // Weight of the learned model's malignant probability when one is
  // configured: risk = (1 - w) * rule risk + w * model probability.
  double model_weight = 0.5;
};

// Piecewise-linear, increasing map anchored at the published cut-offs:
// TDS 1.0 -> 0.05, 4.75 -> 0.35, 5.45 -> 0.60, 8.9 -> 0.95 (8.9 is the
// largest possible TDS), clamped to [0, 1].
double TdsToRisk(double tds);

// A 7-point score of 3 or more (Argenziano's cut-off for melanoma) sets a
// floor on the risk: 3 -> 0.45, 4 -> 0.55, 5 -> 0.65, 6 or more -> 0.75.
// Below 3 it contributes nothing (0).
double SevenPointToRisk(int score);

// max(TdsToRisk(TDS), SevenPointToRisk(7-point score)).
double DermoscopyRisk(const DermoscopyFindings& findings);

// 0.05 + 0.8 * present / assessed clinical signs (0.05 .. 0.85).
double ClinicalRisk(const ClinicalFindings& findings);

// Folds the learned model's malignant probability, if any, into `rule_risk`.
// For a model without a calibration (ModelCalibration below).
double CombineWithModel(double rule_risk,
                        std::optional<double> model_probability,
                        const RiskOptions& options = {});

// A validated model's combination with the rules (and, for a model whose
// fit included it, the case form's risk) and its operating points, fitted and
// chosen on a validation split (the model's sidecar carries them;
// docs/MODEL.md says how they were chosen):
//   score = sigmoid(intercept + model_weight * logit(p) + rule_weight * rule risk
//                   + form_weight * form risk)
// and the image risk maps score soon_from to RiskOptions::suspicious_from and
// urgent_from to highly_suspicious_above, piecewise linearly (0 -> 0, 1 -> 1).
struct ModelCalibration {
  double intercept = 0;
  double model_weight = 1;  // > 0: a more malignant model output never lowers the risk.
  double rule_weight = 0;   // >= 0: nor do worse rule findings.
  double soon_from = 0.35;
  double urgent_from = 0.60;  // soon_from < urgent_from, both inside (0, 1).
  // >= 0 when the form's risk is part of the combination: the image risk then
  // already weighs the form (the screener does not add it again).
  std::optional<double> form_weight;
};

// The calibrated score (0..1) of the combination above; p is clamped to
// [1e-6, 1 - 1e-6] before its logit.
double CalibratedScore(double rule_risk, double model_probability,
                       const ModelCalibration& calibration, double form_risk = 0);

// The image risk of a calibrated score: monotone, and SOON/URGENT exactly at
// the calibration's operating points.
double CalibratedRisk(double score, const ModelCalibration& calibration,
                      const RiskOptions& options = {});

Suspicion SuspicionForRisk(double risk, const RiskOptions& options = {});

}  // namespace telederm::imaging

#endif  // TELEDERM_COMMON_IMAGING_RISK_H_
