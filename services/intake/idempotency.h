#ifndef TELEDERM_SERVICES_INTAKE_IDEMPOTENCY_H_
#define TELEDERM_SERVICES_INTAKE_IDEMPOTENCY_H_

#include <string>

#include "telederm/v1/case.pb.h"

namespace telederm::intake {

// The SHA-256 of the submission's deterministic serialization: equal
// submissions always give the same fingerprint, whatever process or
// protobuf version serialized them, so an idempotent retry is recognised.
std::string SubmissionFingerprint(const v1::CaseSubmission& submission);

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_IDEMPOTENCY_H_
