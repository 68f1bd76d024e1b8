#include "common/imaging/risk.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace telederm::imaging {

std::string_view SuspicionName(Suspicion suspicion) {
  switch (suspicion) {
    case Suspicion::kNotAssessed:
      return "not_assessed";
    case Suspicion::kLow:
      return "low";
    case Suspicion::kSuspicious:
      return "suspicious";
    case Suspicion::kHighlySuspicious:
      return "highly_suspicious";
  }
  return "not_assessed";
}

double TdsToRisk(double tds) {
  static constexpr std::array<std::pair<double, double>, 4> kAnchors = {{
      {1.0, 0.05}, {4.75, 0.35}, {5.45, 0.60}, {8.9, 0.95}}};
  if (tds <= kAnchors.front().first) return kAnchors.front().second;
  for (size_t i = 1; i < kAnchors.size(); ++i) {
    if (tds <= kAnchors[i].first) {
      const auto [x0, y0] = kAnchors[i - 1];
      const auto [x1, y1] = kAnchors[i];
      return y0 + (tds - x0) * (y1 - y0) / (x1 - x0);
    }
  }
  return kAnchors.back().second;
}

double SevenPointToRisk(int score) {
  if (score < 3) return 0.0;
  return std::min(0.75, 0.45 + 0.10 * (score - 3));
}

double DermoscopyRisk(const DermoscopyFindings& findings) {
  return std::max(TdsToRisk(findings.TotalDermoscopyScore()),
                  SevenPointToRisk(findings.seven_point.Score()));
}

double ClinicalRisk(const ClinicalFindings& findings) {
  return 0.05 + 0.8 * findings.SignsPresent() /
                    static_cast<double>(findings.SignsAssessed());
}

double CombineWithModel(double rule_risk,
                        std::optional<double> model_probability,
                        const RiskOptions& options) {
  double risk = rule_risk;
  if (model_probability.has_value()) {
    const double w = std::clamp(options.model_weight, 0.0, 1.0);
    risk = (1 - w) * rule_risk + w * std::clamp(*model_probability, 0.0, 1.0);
  }
  return std::clamp(risk, 0.0, 1.0);
}

double CalibratedScore(double rule_risk, double model_probability,
                       const ModelCalibration& calibration, double form_risk) {
  const double p = std::clamp(model_probability, 1e-6, 1 - 1e-6);
  const double z = calibration.intercept +
                   calibration.model_weight * std::log(p / (1 - p)) +
                   calibration.rule_weight * std::clamp(rule_risk, 0.0, 1.0) +
                   calibration.form_weight.value_or(0) * std::clamp(form_risk, 0.0, 1.0);
  return 1 / (1 + std::exp(-z));
}

double CalibratedRisk(double score, const ModelCalibration& calibration,
                      const RiskOptions& options) {
  const std::array<std::pair<double, double>, 4> anchors = {{
      {0.0, 0.0},
      {calibration.soon_from, options.suspicious_from},
      {calibration.urgent_from, options.highly_suspicious_above},
      {1.0, 1.0}}};
  score = std::clamp(score, 0.0, 1.0);
  for (size_t i = 1; i < anchors.size(); ++i) {
    if (score <= anchors[i].first) {
      const auto [x0, y0] = anchors[i - 1];
      const auto [x1, y1] = anchors[i];
      return y0 + (score - x0) * (y1 - y0) / (x1 - x0);
    }
  }
  return 1.0;
}

Suspicion SuspicionForRisk(double risk, const RiskOptions& options) {
  if (risk > options.highly_suspicious_above) return Suspicion::kHighlySuspicious;
  if (risk >= options.suspicious_from) return Suspicion::kSuspicious;
  return Suspicion::kLow;
}

}  // namespace telederm::imaging
