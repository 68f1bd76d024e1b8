#include "tools/bench/sample_case.h"

#include "absl/strings/str_cat.h"
#include "common/case_state/timestamps.h"

namespace telederm::bench {
namespace {

void AddHistory(v1::Case& c, v1::CaseStatus from, v1::CaseStatus to, absl::Time at, const std::string& actor) {
  v1::StatusChange* change = c.add_history();
  change->set_from(from);
  change->set_to(to);
  *change->mutable_at() = ToProtoTimestamp(at);
  change->set_actor(actor);
}

}  // namespace

v1::CaseSubmission SampleSubmission(const std::string& patient_reference, const v1::ImageRef& image) {
  v1::CaseSubmission s;
  s.set_type(v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
  s.mutable_patient()->set_reference(patient_reference);
  s.mutable_patient()->set_age_years(52);
  s.mutable_patient()->set_sex(v1::SEX_FEMALE);
  s.mutable_patient()->set_fitzpatrick_type(2);
  s.mutable_lesion()->set_body_site(v1::BODY_SITE_BACK);
  s.mutable_lesion()->set_largest_diameter_mm(7);
  s.mutable_lesion()->set_duration_days(120);
  s.mutable_lesion()->mutable_evolution()->set_size(true);
  s.set_clinical_question("Pigmented lesion on the back, grew over the last months. Melanoma?");
  s.set_consent_to_teleconsultation(true);
  *s.add_images() = image;
  return s;
}

v1::Case SampleQueuedCase(const std::string& case_id, const std::string& clinic_id, const std::string& pool,
                          absl::Time received, absl::Time due) {
  v1::ImageRef image;
  image.set_sha256(std::string(64, 'a'));
  image.set_modality(v1::MODALITY_DERMOSCOPY);
  image.set_content_type("image/jpeg");
  image.set_size_bytes(3 * 1024 * 1024);
  v1::Case c;
  c.set_case_id(case_id);
  c.set_clinic_id(clinic_id);
  *c.mutable_submission() = SampleSubmission(absl::StrCat("patient-", case_id.substr(case_id.size() > 8 ? case_id.size() - 8 : 0)), image);
  c.set_status(v1::CASE_STATUS_QUEUED);
  *c.mutable_received_at() = ToProtoTimestamp(received);
  v1::TriageResult* triage = c.mutable_triage();
  triage->set_risk_score(0.3);
  triage->set_tier(v1::URGENCY_URGENT);
  triage->set_analyzer_name("clinical-7-point+image-analysis-skipped");
  triage->set_analyzer_version("1+0");
  triage->set_screened(false);
  triage->set_not_screened_reason("image aaaaaaaaaaaa: image analysis switched off (--skip_image_analysis, benchmarks only)");
  *triage->mutable_screened_at() = ToProtoTimestamp(received);
  v1::ExplanationItem* item = triage->add_explanation();
  item->set_source("clinical");
  item->set_text("change in size (7-point checklist, major criterion)");
  item->set_weight(2);
  c.set_urgency(v1::URGENCY_URGENT);
  *c.mutable_due_at() = ToProtoTimestamp(due);
  c.set_pool(pool);
  AddHistory(c, v1::CASE_STATUS_UNSPECIFIED, v1::CASE_STATUS_RECEIVED, received, clinic_id);
  AddHistory(c, v1::CASE_STATUS_RECEIVED, v1::CASE_STATUS_SCREENING, received, "triage");
  AddHistory(c, v1::CASE_STATUS_SCREENING, v1::CASE_STATUS_QUEUED, received, "referral");
  return c;
}

}  // namespace telederm::bench
