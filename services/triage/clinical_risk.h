#ifndef TELEDERM_SERVICES_TRIAGE_CLINICAL_RISK_H_
#define TELEDERM_SERVICES_TRIAGE_CLINICAL_RISK_H_

#include <vector>

#include "telederm/v1/case.pb.h"

namespace telederm::triage {

inline constexpr char kClinicalRulesName[] = "telederm-clinical-7pt";
inline constexpr char kClinicalRulesVersion[] = "1.0.0";

// What the clinic's form says about malignancy risk, scored with the weighted
// 7-point checklist (MacKie; NICE NG12: 3 points or more warrants a
// suspected-cancer referral) plus history and age factors. docs/TRIAGE.md
// lists every rule and its source.
struct ClinicalAssessment {
  double checklist_points = 0;  // the weighted 7-point checklist alone, 0..10
  double extra_points = 0;      // age, history and other factors outside the checklist
  double risk = 0;              // 0..1, monotone in the points
  std::vector<v1::ExplanationItem> explanation;  // one item per rule that fired, source "clinical"
};

ClinicalAssessment AssessClinicalRisk(const v1::CaseSubmission& submission);

// Points to risk: 0.2 per point, capped at 0.95, so 3 points (the NICE
// threshold) reach 0.6, the urgent threshold.
double ClinicalPointsToRisk(double points);

}  // namespace telederm::triage

#endif  // TELEDERM_SERVICES_TRIAGE_CLINICAL_RISK_H_
