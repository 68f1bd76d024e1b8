#ifndef TELEDERM_SERVICES_INTAKE_CASE_VALIDATION_H_
#define TELEDERM_SERVICES_INTAKE_CASE_VALIDATION_H_

#include "absl/status/status.h"
#include "telederm/v1/case.pb.h"

namespace telederm::intake {

// Limits stated in proto/telederm/v1/case.proto.
inline constexpr int kMaxImagesPerCase = 16;
inline constexpr int kMaxQuestionLength = 2000;

// Checks every field a clinic fills in. The first problem found is returned as
// INVALID_ARGUMENT naming the field and saying what is expected, e.g.
// "patient.age_years: must be between 0 and 120 (got 150)". Image existence is
// checked separately, against the blob store.
absl::Status ValidateSubmission(const v1::CaseSubmission& submission);

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_CASE_VALIDATION_H_
