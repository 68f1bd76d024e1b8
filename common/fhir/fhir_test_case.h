#ifndef TELEDERM_COMMON_FHIR_FHIR_TEST_CASE_H_
#define TELEDERM_COMMON_FHIR_FHIR_TEST_CASE_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/case_state/timestamps.h"
#include "telederm/v1/case.pb.h"

namespace telederm::fhir {

inline const absl::Time kReceived = absl::FromUnixSeconds(1714557600);  // 2024-05-01T10:00:00Z

// A suspected melanoma on the forearm with two images, screened urgent,
// claimed by dr-achieng in pool "general".
inline v1::Case ClaimedMelanomaCase(const std::string& case_id = "c-01HWX5Q3T8S2G6VJ5ZK7N4M9PA") {
  v1::Case c;
  c.set_case_id(case_id);
  c.set_clinic_id("clinic-kisumu-03");
  v1::CaseSubmission* s = c.mutable_submission();
  s->set_type(v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
  s->mutable_patient()->set_reference("KR03-0119");
  s->mutable_patient()->set_age_years(34);
  s->mutable_patient()->set_sex(v1::SEX_FEMALE);
  s->mutable_patient()->set_fitzpatrick_type(3);
  s->mutable_lesion()->set_body_site(v1::BODY_SITE_FOREARM);
  s->set_clinical_question("Pigmented lesion noticed by her partner. Benign?");
  s->set_consent_to_teleconsultation(true);
  v1::ImageRef* dermoscopy = s->add_images();
  dermoscopy->set_sha256(std::string(64, 'a'));
  dermoscopy->set_modality(v1::MODALITY_DERMOSCOPY);
  dermoscopy->set_content_type("image/jpeg");
  dermoscopy->set_size_bytes(123456);
  v1::ImageRef* overview = s->add_images();
  overview->set_sha256(std::string(64, 'b'));
  overview->set_modality(v1::MODALITY_CLINICAL_OVERVIEW);
  overview->set_content_type("image/png");
  overview->set_size_bytes(654321);
  c.set_status(v1::CASE_STATUS_CLAIMED);
  *c.mutable_received_at() = ToProtoTimestamp(kReceived);
  v1::TriageResult* t = c.mutable_triage();
  t->set_risk_score(0.82);
  t->set_tier(v1::URGENCY_URGENT);
  t->set_screened(true);
  t->set_analyzer_name("telederm-lesion-analyzer");
  t->set_analyzer_version("1.3.0");
  *t->mutable_screened_at() = ToProtoTimestamp(kReceived + absl::Seconds(3));
  v1::SuspectedDiagnosis* d = t->add_suspected_diagnoses();
  d->set_name("melanoma");
  d->set_score(0.82);
  v1::ExplanationItem* e = t->add_explanation();
  e->set_source("image:" + std::string(64, 'a'));
  e->set_text("TDS 6.1: highly suspicious");
  c.set_urgency(v1::URGENCY_URGENT);
  *c.mutable_due_at() = ToProtoTimestamp(kReceived + absl::Hours(24));
  c.set_pool("general");
  c.mutable_claim()->set_specialist_id("dr-achieng");
  c.mutable_claim()->set_pool("general");
  c.mutable_claim()->set_fencing_token(7);
  v1::StatusChange* h = c.add_history();
  h->set_to(v1::CASE_STATUS_CLAIMED);
  *h->mutable_at() = ToProtoTimestamp(kReceived + absl::Minutes(30));
  return c;
}

// The same case after dr-achieng reported it.
inline v1::Case ReportedMelanomaCase() {
  v1::Case c = ClaimedMelanomaCase();
  c.set_status(v1::CASE_STATUS_REPORTED);
  c.clear_claim();
  v1::Report* r = c.mutable_report();
  r->set_diagnosis_text("Melanoma of the upper limb, suspected");
  r->set_icd10_code("C43.6");
  r->set_management(v1::MANAGEMENT_URGENT_IN_PERSON_REFERRAL);
  r->set_management_interval(14);
  r->set_follow_up("Excision biopsy at the district hospital");
  r->set_specialist_id("dr-achieng");
  *r->mutable_reported_at() = ToProtoTimestamp(kReceived + absl::Hours(2));
  return c;
}

inline std::vector<v1::Message> QuestionAndAnswer(const std::string& case_id) {
  v1::Message question;
  question.set_message_id("1714560000000-0");
  question.set_case_id(case_id);
  question.set_author_id("dr-achieng");
  question.set_author_role(v1::ROLE_SPECIALIST);
  question.set_text("Has it bled?");
  question.set_info_request(true);
  *question.mutable_sent_at() = ToProtoTimestamp(kReceived + absl::Minutes(40));
  v1::Message answer;
  answer.set_message_id("1714563600000-0");
  answer.set_case_id(case_id);
  answer.set_author_id("clinic-kisumu-03");
  answer.set_author_role(v1::ROLE_CLINIC);
  answer.set_text("No bleeding.");
  answer.set_info_answer(true);
  *answer.mutable_sent_at() = ToProtoTimestamp(kReceived + absl::Minutes(90));
  v1::ImageRef* attachment = answer.add_attachments();
  attachment->set_sha256(std::string(64, 'c'));
  attachment->set_content_type("image/jpeg");
  attachment->set_size_bytes(2048);
  return {question, answer};
}

}  // namespace telederm::fhir

#endif  // TELEDERM_COMMON_FHIR_FHIR_TEST_CASE_H_
