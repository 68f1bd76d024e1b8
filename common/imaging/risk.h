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
double CombineWithModel(double rule_risk,
                        std::optional<double> model_probability,
                        const RiskOptions& options = {});

Suspicion SuspicionForRisk(double risk, const RiskOptions& options = {});

}  // namespace telederm::imaging

#endif  // TELEDERM_COMMON_IMAGING_RISK_H_
