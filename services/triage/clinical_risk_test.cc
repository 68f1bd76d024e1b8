#include "services/triage/clinical_risk.h"

#include <functional>

#include <gtest/gtest.h>

#include "absl/strings/match.h"

namespace telederm::triage {
namespace {

v1::CaseSubmission Quiet() {
  v1::CaseSubmission s;
  s.set_type(v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
  s.mutable_patient()->set_age_years(30);
  s.mutable_lesion()->set_largest_diameter_mm(4);
  return s;
}

bool Explains(const ClinicalAssessment& a, absl::string_view words) {
  for (const auto& item : a.explanation) {
    if (absl::StrContains(item.text(), words)) return item.source() == "clinical";
  }
  return false;
}

TEST(ClinicalRiskTest, NothingOfNoteIsLowRiskWithNoReasons) {
  ClinicalAssessment a = AssessClinicalRisk(Quiet());
  EXPECT_EQ(a.checklist_points, 0);
  EXPECT_LT(a.risk, 0.35);
  EXPECT_TRUE(a.explanation.empty());
}

TEST(ClinicalRiskTest, MajorCriteriaWeighTwiceTheMinorOnes) {
  v1::CaseSubmission major = Quiet();
  major.mutable_lesion()->mutable_evolution()->set_colour(true);
  v1::CaseSubmission minor = Quiet();
  minor.mutable_lesion()->mutable_symptoms()->set_itch(true);
  EXPECT_EQ(AssessClinicalRisk(major).checklist_points, 2 * AssessClinicalRisk(minor).checklist_points);
  EXPECT_TRUE(Explains(AssessClinicalRisk(major), "changed in colour"));
  EXPECT_TRUE(Explains(AssessClinicalRisk(minor), "change in sensation"));
}

TEST(ClinicalRiskTest, ThreeChecklistPointsReachTheUrgentThreshold) {
  v1::CaseSubmission s = Quiet();
  s.mutable_lesion()->mutable_evolution()->set_size(true);  // 2
  s.mutable_lesion()->set_largest_diameter_mm(9);           // 1
  ClinicalAssessment a = AssessClinicalRisk(s);
  EXPECT_EQ(a.checklist_points, 3);
  EXPECT_GE(a.risk, 0.6);
  EXPECT_TRUE(Explains(a, "diameter 9 mm"));
}

TEST(ClinicalRiskTest, EveryAddedFactorRaisesRiskUntilTheCap) {
  v1::CaseSubmission s = Quiet();
  double previous = AssessClinicalRisk(s).risk;
  std::vector<std::function<void(v1::CaseSubmission&)>> factors = {
      [](auto& x) { x.mutable_patient()->mutable_risk_factors()->set_sunburn_history(true); },
      [](auto& x) { x.mutable_patient()->set_age_years(67); },
      [](auto& x) { x.mutable_patient()->mutable_risk_factors()->set_family_history_of_melanoma(true); },
      [](auto& x) { x.mutable_lesion()->mutable_symptoms()->set_bleeding(true); },
  };
  for (auto& add : factors) {
    add(s);
    double now = AssessClinicalRisk(s).risk;
    EXPECT_GT(now, previous);
    previous = now;
  }
  s.mutable_lesion()->mutable_evolution()->set_size(true);
  s.mutable_lesion()->mutable_evolution()->set_shape(true);
  s.mutable_lesion()->mutable_evolution()->set_colour(true);
  EXPECT_LE(AssessClinicalRisk(s).risk, 0.95);
}

TEST(ClinicalRiskTest, HistoryFactorsAreExplainedAsOutsideTheChecklist) {
  v1::CaseSubmission s = Quiet();
  s.mutable_patient()->mutable_risk_factors()->set_personal_history_of_melanoma(true);
  ClinicalAssessment a = AssessClinicalRisk(s);
  EXPECT_EQ(a.checklist_points, 0);
  EXPECT_EQ(a.extra_points, 2);
  ASSERT_EQ(a.explanation.size(), 1u);
  EXPECT_FALSE(absl::StrContains(a.explanation[0].text(), "7-point"));
}

}  // namespace
}  // namespace telederm::triage
