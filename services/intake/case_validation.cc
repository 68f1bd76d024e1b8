#include "services/intake/case_validation.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/blob/blob_store.h"
#include "common/ids/ids.h"

namespace telederm::intake {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

absl::Status ValidatePatient(const v1::Patient& patient) {
  if (!IsValidExternalId(patient.reference(), 64)) {
    return Invalid("patient.reference",
                   "give the clinic's own pseudonymous reference, 1 to 64 characters of A-Z a-z 0-9 . _ : - "
                   "(never the patient's name)");
  }
  if (patient.age_years() < 0 || patient.age_years() > 120) {
    return Invalid("patient.age_years", absl::StrCat("must be between 0 and 120 (got ", patient.age_years(), ")"));
  }
  if (patient.sex() == v1::SEX_UNSPECIFIED || !v1::Sex_IsValid(patient.sex())) {
    return Invalid("patient.sex", "choose female, male, other or unknown");
  }
  if (patient.fitzpatrick_type() < 0 || patient.fitzpatrick_type() > 6) {
    return Invalid("patient.fitzpatrick_type",
                   absl::StrCat("must be 1 (I) to 6 (VI), or 0 if not recorded (got ", patient.fitzpatrick_type(), ")"));
  }
  return absl::OkStatus();
}

absl::Status ValidateLesion(const v1::Lesion& lesion) {
  if (lesion.body_site() == v1::BODY_SITE_UNSPECIFIED || !v1::BodySite_IsValid(lesion.body_site())) {
    return Invalid("lesion.body_site", "say where on the body the lesion is");
  }
  float diameter = lesion.largest_diameter_mm();
  if (!std::isfinite(diameter) || diameter < 0 || (diameter > 0 && diameter < 0.1f) || diameter > 500) {
    return Invalid("lesion.largest_diameter_mm",
                   absl::StrCat("must be 0.1 to 500 millimetres, or 0 if not measured (got ", diameter, ")"));
  }
  if (lesion.duration_days() < 0 || lesion.duration_days() > 36500) {
    return Invalid("lesion.duration_days",
                   absl::StrCat("must be 0 (unknown) to 36500 days (got ", lesion.duration_days(), ")"));
  }
  return absl::OkStatus();
}

absl::Status ValidateImage(const v1::ImageRef& image, int index) {
  std::string field = absl::StrCat("images[", index, "]");
  if (!IsValidSha256Hex(image.sha256())) {
    return Invalid(absl::StrCat(field, ".sha256"),
                   "must be the 64 lower-case hex characters UploadImage returned for this image");
  }
  if (image.modality() == v1::MODALITY_UNSPECIFIED || !v1::Modality_IsValid(image.modality())) {
    return Invalid(absl::StrCat(field, ".modality"),
                   "say what the image is: clinical overview, clinical close-up, dermoscopy, confocal or ultrasound");
  }
  double pixel = image.pixel_size_mm();
  if (!std::isfinite(pixel) || pixel < 0 || pixel > 10) {
    return Invalid(absl::StrCat(field, ".pixel_size_mm"), "must be 0 (unknown) to 10 millimetres per pixel");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateSubmission(const v1::CaseSubmission& submission) {
  if (submission.type() == v1::CASE_TYPE_UNSPECIFIED || !v1::CaseType_IsValid(submission.type())) {
    return Invalid("type", "choose suspected skin tumour, inflammatory rash, acne or other");
  }
  if (submission.type() == v1::CASE_TYPE_ACNE) {
    if (submission.acne_severity_grade() < 1 || submission.acne_severity_grade() > 4) {
      return Invalid("acne_severity_grade", "for acne, grade the severity 1 (mild) to 4 (severe)");
    }
  } else if (submission.acne_severity_grade() != 0) {
    return Invalid("acne_severity_grade", "only acne cases carry a severity grade; leave it 0");
  }
  if (!submission.consent_to_teleconsultation()) {
    return Invalid("consent_to_teleconsultation",
                   "the patient must consent to a teleconsultation before the case can be sent");
  }
  if (absl::Status s = ValidatePatient(submission.patient()); !s.ok()) return s;
  if (absl::Status s = ValidateLesion(submission.lesion()); !s.ok()) return s;
  if (submission.clinical_question().empty()) {
    return Invalid("clinical_question", "say what you would like the dermatologist to answer");
  }
  if (submission.images_size() == 0) {
    return Invalid("images", "attach at least one photo of the lesion");
  }
  if (submission.images_size() > kMaxImagesPerCase) {
    return Invalid("images", absl::StrCat("at most ", kMaxImagesPerCase, " images per case (got ",
                                          submission.images_size(), ")"));
  }
  for (int i = 0; i < submission.images_size(); ++i) {
    if (absl::Status s = ValidateImage(submission.images(i), i); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace telederm::intake
