#ifndef TELEDERM_SERVICES_INTAKE_TEST_SUBMISSIONS_H_
#define TELEDERM_SERVICES_INTAKE_TEST_SUBMISSIONS_H_

#include <string>

#include "telederm/v1/case.pb.h"

namespace telederm::intake {

// A complete, valid submission of a suspected skin tumour with one dermoscopy image.
inline v1::CaseSubmission ValidTumourSubmission(const std::string& image_sha256) {
  v1::CaseSubmission s;
  s.set_type(v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
  s.mutable_patient()->set_reference("pt-0042");
  s.mutable_patient()->set_age_years(61);
  s.mutable_patient()->set_sex(v1::SEX_FEMALE);
  s.mutable_patient()->set_fitzpatrick_type(2);
  s.mutable_lesion()->set_body_site(v1::BODY_SITE_BACK);
  s.mutable_lesion()->set_largest_diameter_mm(8.5f);
  s.mutable_lesion()->set_duration_days(120);
  s.mutable_lesion()->mutable_evolution()->set_size(true);
  s.set_clinical_question("Mole on the back has grown over 3 months. Melanoma?");
  s.set_consent_to_teleconsultation(true);
  v1::ImageRef* image = s.add_images();
  image->set_sha256(image_sha256);
  image->set_modality(v1::MODALITY_DERMOSCOPY);
  image->set_content_type("image/jpeg");
  return s;
}

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_TEST_SUBMISSIONS_H_
