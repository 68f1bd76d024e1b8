#ifndef TELEDERM_SERVICES_INTAKE_CASE_VALIDATION_H_
#define TELEDERM_SERVICES_INTAKE_CASE_VALIDATION_H_

#include "absl/status/status.h"
#include "telederm/v1/case.pb.h"

namespace telederm::intake {

// Limits stated in proto/telederm/v1/case.proto.
inline constexpr int kMaxImagesPerCase = 16;

// Checks every field a clinic fills in. The first problem found is returned as
// INVALID_ARGUMENT naming the field and saying what is expected, e.g.
// "patient.age_years: must be between 0 and 120 (got 150)". The lengths the
// contract declares (the clinical question's 2000 characters, ...) are
// checked before, on the whole request, by CheckRequestLimits, in characters.
// Whether the clinic uploaded the images is checked separately (ClinicImages).
absl::Status ValidateSubmission(const v1::CaseSubmission& submission);

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_CASE_VALIDATION_H_
