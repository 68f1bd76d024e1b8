#include "services/triage/clinical_risk.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace telederm::triage {
namespace {

void Add(ClinicalAssessment& a, bool checklist, double points, absl::string_view text) {
  (checklist ? a.checklist_points : a.extra_points) += points;
  v1::ExplanationItem* item = &a.explanation.emplace_back();
  item->set_source("clinical");
  item->set_text(absl::StrCat(text, checklist ? " (7-point checklist, " : " (", "+", points, ")"));
  item->set_weight(points);
}

}  // namespace

double ClinicalPointsToRisk(double points) { return std::clamp(0.2 * points, 0.0, 0.95); }

ClinicalAssessment AssessClinicalRisk(const v1::CaseSubmission& submission) {
  ClinicalAssessment a;
  const v1::Lesion& lesion = submission.lesion();
  const v1::Patient& patient = submission.patient();
  // Major criteria, 2 points each.
  if (lesion.evolution().size()) Add(a, true, 2, "lesion changed in size");
  if (lesion.evolution().shape()) Add(a, true, 2, "lesion changed in shape");
  if (lesion.evolution().colour()) Add(a, true, 2, "lesion changed in colour");
  // Minor criteria, 1 point each.
  if (lesion.largest_diameter_mm() >= 7.0f) {
    Add(a, true, 1, absl::StrCat("diameter ", lesion.largest_diameter_mm(), " mm (7 mm or more)"));
  }
  if (lesion.symptoms().inflammation()) Add(a, true, 1, "inflamed");
  if (lesion.symptoms().bleeding()) Add(a, true, 1, "oozing or bleeding");
  if (lesion.symptoms().itch() || lesion.symptoms().pain()) Add(a, true, 1, "change in sensation (itch or pain)");
  // Outside the checklist: factors that raise the prior probability of skin cancer.
  if (lesion.symptoms().ulceration()) Add(a, false, 1, "ulcerated (basal or squamous cell carcinoma?)");
  if (lesion.symptoms().new_lesion() && patient.age_years() >= 40) {
    Add(a, false, 1, absl::StrCat("new lesion at age ", patient.age_years()));
  }
  if (patient.age_years() >= 50) Add(a, false, 1, absl::StrCat("age ", patient.age_years()));
  const v1::RiskFactors& history = patient.risk_factors();
  if (history.personal_history_of_melanoma()) Add(a, false, 2, "personal history of melanoma");
  if (history.family_history_of_melanoma()) Add(a, false, 1, "family history of melanoma");
  if (history.immunosuppressed()) Add(a, false, 1, "immunosuppressed (squamous cell carcinoma risk)");
  if (history.many_naevi()) Add(a, false, 1, "many or atypical naevi");
  if (history.sunburn_history()) Add(a, false, 0.5, "history of blistering sunburn");
  a.risk = ClinicalPointsToRisk(a.checklist_points + a.extra_points);
  return a;
}

}  // namespace telederm::triage
