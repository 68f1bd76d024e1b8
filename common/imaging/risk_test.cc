#include "common/imaging/risk.h"

#include <cmath>

#include "gtest/gtest.h"

namespace telederm::imaging {
namespace {

TEST(RiskTest, TdsMapsToRiskAnchoredAtThePublishedCutOffs) {
  const RiskOptions options;
  EXPECT_DOUBLE_EQ(TdsToRisk(4.75), options.suspicious_from);
  EXPECT_DOUBLE_EQ(TdsToRisk(5.45), options.highly_suspicious_above);
  EXPECT_EQ(SuspicionForRisk(TdsToRisk(4.70)), Suspicion::kLow);
  EXPECT_EQ(SuspicionForRisk(TdsToRisk(4.75)), Suspicion::kSuspicious);
  EXPECT_EQ(SuspicionForRisk(TdsToRisk(5.45)), Suspicion::kSuspicious);
  EXPECT_EQ(SuspicionForRisk(TdsToRisk(5.50)), Suspicion::kHighlySuspicious);
}

TEST(RiskTest, TdsRiskIsMonotoneAndClamped) {
  double previous = -1;
  for (double tds = -1; tds <= 12; tds += 0.05) {
    const double risk = TdsToRisk(tds);
    EXPECT_GE(risk, previous) << tds;
    EXPECT_GE(risk, 0.0);
    EXPECT_LE(risk, 1.0);
    previous = risk;
  }
  EXPECT_LT(TdsToRisk(1.0), TdsToRisk(8.9));
}

TEST(RiskTest, SevenPointScoreOfThreeOrMoreMakesALesionAtLeastSuspicious) {
  EXPECT_EQ(SevenPointToRisk(2), 0.0);
  EXPECT_GE(SuspicionForRisk(SevenPointToRisk(3)), Suspicion::kSuspicious);
  EXPECT_GE(SevenPointToRisk(5), SevenPointToRisk(3));
}

TEST(RiskTest, DermoscopyRiskTakesTheWorseOfTdsAndSevenPoint) {
  DermoscopyFindings benign_by_tds;  // TDS 1.0.
  const double tds_only = DermoscopyRisk(benign_by_tds);
  benign_by_tds.seven_point.blue_whitish_veil = true;
  benign_by_tds.seven_point.irregular_pigmentation = true;  // Score 3.
  EXPECT_GT(DermoscopyRisk(benign_by_tds), tds_only);
  EXPECT_EQ(SuspicionForRisk(DermoscopyRisk(benign_by_tds)), Suspicion::kSuspicious);
}

TEST(RiskTest, ModelProbabilityMovesTheRiskItsWay) {
  const double rules = 0.4;
  EXPECT_DOUBLE_EQ(CombineWithModel(rules, std::nullopt), rules);
  EXPECT_GT(CombineWithModel(rules, 0.95), rules);
  EXPECT_LT(CombineWithModel(rules, 0.05), rules);
  EXPECT_LT(CombineWithModel(rules, 0.2), CombineWithModel(rules, 0.8));
  RiskOptions ignore_model;
  ignore_model.model_weight = 0;
  EXPECT_DOUBLE_EQ(CombineWithModel(rules, 0.95, ignore_model), rules);
}

TEST(RiskTest, CalibratedRiskReachesTheTiersExactlyAtTheOperatingPoints) {
  const RiskOptions options;
  ModelCalibration calibration;
  calibration.soon_from = 0.12;
  calibration.urgent_from = 0.5;
  EXPECT_DOUBLE_EQ(CalibratedRisk(0.12, calibration), options.suspicious_from);
  EXPECT_DOUBLE_EQ(CalibratedRisk(0.5, calibration), options.highly_suspicious_above);
  EXPECT_EQ(SuspicionForRisk(CalibratedRisk(0.1199, calibration)), Suspicion::kLow);
  EXPECT_EQ(SuspicionForRisk(CalibratedRisk(0.12, calibration)), Suspicion::kSuspicious);
  EXPECT_EQ(SuspicionForRisk(CalibratedRisk(0.51, calibration)), Suspicion::kHighlySuspicious);
  EXPECT_DOUBLE_EQ(CalibratedRisk(0, calibration), 0);
  EXPECT_DOUBLE_EQ(CalibratedRisk(1, calibration), 1);
}

TEST(RiskTest, CalibratedScoreIsMonotoneInTheModelAndTheRules) {
  ModelCalibration calibration;
  calibration.intercept = -1;
  calibration.model_weight = 1.2;
  calibration.rule_weight = 2;
  double previous = -1;
  for (double p = 0; p <= 1.0; p += 0.01) {
    const double score = CalibratedScore(0.3, p, calibration);
    EXPECT_GT(score, previous) << p;
    previous = score;
  }
  EXPECT_LT(CalibratedScore(0.1, 0.5, calibration), CalibratedScore(0.6, 0.5, calibration));
  // No intercept, unit model weight, no rule weight: the score is the model's probability.
  EXPECT_NEAR(CalibratedScore(0.9, 0.3, ModelCalibration{}), 0.3, 1e-12);
}

TEST(RiskTest, ClinicalRiskGrowsWithTheSignsPresent) {
  ClinicalFindings none;
  ClinicalFindings two = none;
  two.asymmetry = 2;
  two.irregular_border = true;
  ClinicalFindings all = two;
  all.colour_variegation = true;
  all.diameter_mm = 8.0;
  all.large_diameter = true;
  EXPECT_LT(ClinicalRisk(none), ClinicalRisk(two));
  EXPECT_LT(ClinicalRisk(two), ClinicalRisk(all));
  EXPECT_EQ(SuspicionForRisk(ClinicalRisk(none)), Suspicion::kLow);
  EXPECT_EQ(SuspicionForRisk(ClinicalRisk(all)), Suspicion::kHighlySuspicious);
}

TEST(RiskTest, TiersAreOrdered) {
  EXPECT_LT(Suspicion::kNotAssessed, Suspicion::kLow);
  EXPECT_LT(Suspicion::kLow, Suspicion::kSuspicious);
  EXPECT_LT(Suspicion::kSuspicious, Suspicion::kHighlySuspicious);
}

TEST(CalibratedScoreTest, AFormWeightRaisesTheScoreWithTheFormRiskAndNoneIgnoresIt) {
  ModelCalibration without{-1, 1.5, 0.5, 0.3, 0.7};
  ModelCalibration with = without;
  with.form_weight = 2.0;
  EXPECT_DOUBLE_EQ(CalibratedScore(0.4, 0.3, without, 0.9), CalibratedScore(0.4, 0.3, without, 0.0));
  EXPECT_DOUBLE_EQ(CalibratedScore(0.4, 0.3, with, 0.0), CalibratedScore(0.4, 0.3, without, 0.0));
  const double logit = std::log(0.3 / 0.7);
  EXPECT_NEAR(CalibratedScore(0.4, 0.3, with, 0.6), 1 / (1 + std::exp(-(-1 + 1.5 * logit + 0.5 * 0.4 + 2.0 * 0.6))),
              1e-12);
  EXPECT_GT(CalibratedScore(0.4, 0.3, with, 0.6), CalibratedScore(0.4, 0.3, with, 0.2));
}

}  // namespace
}  // namespace telederm::imaging
